import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CALIBRATION_VALUES, DEFAULT_CALIBRATION, calibrate, loadCalibration, parseCalibration } from '../../simulator/calibration';
import defaults from '../../simulator/twin/calibration.json';
import { parseScenario } from '../../simulator/scenario';

describe('the twin calibration', () => {
  test('every timing the twin assumes has a value and a source, and the defaults are not the best case', () => {
    for (const key of Object.keys(CALIBRATION_VALUES)) {
      const entry = (defaults as unknown as Record<string, { value: number; source: string }>)[key];
      expect(entry.source).toMatch(/https:\/\/docs\.aws\.amazon\.com\/|unverified: measured by the probe/);
    }
    expect(DEFAULT_CALIBRATION.metricLagSeconds).toBeGreaterThan(0);
    expect(DEFAULT_CALIBRATION.metricLagSpreadSeconds).toBeGreaterThan(0);
    // Deliveries out of order, and at least once.
    expect(DEFAULT_CALIBRATION.eventDelaySpreadSeconds).toBeGreaterThan(0);
    expect(DEFAULT_CALIBRATION.asyncDuplicateRate).toBeGreaterThan(0);
    expect(DEFAULT_CALIBRATION.describeLagSeconds).toBeGreaterThan(0);
  });

  test('a shipped scenario sets metric lag to 0 only when its description names that a best case', () => {
    const dir = path.join(__dirname, '..', '..', 'scenarios');
    const zeroLag = fs.readdirSync(dir).filter((f) => f.endsWith('.json'))
      .map((f) => ({ f, raw: fs.readFileSync(path.join(dir, f), 'utf8') }))
      .filter(({ raw }) => /"(fast)?[mM]etricLagSeconds": *0[,}\s]/.test(raw));
    expect(zeroLag.length).toBeGreaterThan(0);
    expect(zeroLag.filter(({ raw }) => !/best case/.test(JSON.parse(raw).description ?? '')).map(({ f }) => f)).toEqual([]);
  });

  test('a --calibration file replaces the values it names and keeps the other defaults', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'calibration-')), 'mine.json');
    fs.writeFileSync(file, JSON.stringify({ metricLagSeconds: { value: 150, source: 'probe, eu-west-1' } }));
    expect(loadCalibration(file)).toEqual({ ...DEFAULT_CALIBRATION, metricLagSeconds: 150 });
  });

  test('a wrong calibration file is refused naming the file, the property and the known ones', () => {
    expect(() => parseCalibration(JSON.stringify({ metricLag: { value: 1, source: 'x' } }), 'c.json', DEFAULT_CALIBRATION))
      .toThrow(/c\.json: invalid calibration[\s\S]*unknown property "metricLag" \(known: metricLagSeconds/);
    expect(() => parseCalibration(JSON.stringify({ weightsSeconds: { value: 10 } }), 'c.json', DEFAULT_CALIBRATION))
      .toThrow(/\/weightsSeconds: must have required property 'source'/);
    expect(() => parseCalibration(JSON.stringify({ weightsSeconds: { value: 10, source: 'x' } }), 'c.json'))
      .toThrow(/c\.json: calibration lacks metricLagSeconds/);
    expect(() => loadCalibration('/nonexistent/c.json')).toThrow(/calibration file \/nonexistent\/c\.json does not exist/);
  });

  test('a scenario overrides single values over the calibration in force, with the same names and ranges', () => {
    const scenario = parseScenario(JSON.stringify({
      name: 's', seed: 1, durationMinutes: 1, requestsPerSecond: 1, endpoint: {}, versions: { v1: { errorRate: 0, latencyP50Ms: 1, latencyP99Ms: 2 } },
      initialVersion: 'v1', timeline: [], calibration: { metricLagSeconds: 90 },
    }), 's.json');
    expect(calibrate(DEFAULT_CALIBRATION, scenario.calibration)).toEqual({ ...DEFAULT_CALIBRATION, metricLagSeconds: 90 });
    expect(() => parseScenario(JSON.stringify({ ...scenario, calibration: { metricLagSeconds: 9000 } }), 's.json')).toThrow(/\/calibration\/metricLagSeconds: must be <= 600/);
  });
});
