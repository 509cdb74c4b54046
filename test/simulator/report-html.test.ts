import { DEFAULT_JUDGE_PLAN, judgeStep } from '../../lambda/core';
import { renderHtml } from '../../simulator/report-html';
import { DEFAULT_CALIBRATION } from '../../simulator/calibration';
import { TrafficLog } from '../../simulator/traffic-log';
import type { RunRecord } from '../../simulator/simulation';
import type { Summary } from '../../simulator/summary';

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const at = (minute: number, second = 0) => START + minute * 60_000 + second * 1000;
const EVIL = '<script>alert("pwned")</script>';

function alarm(slot: string, from: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', to: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', when: number) {
  const name = `SimulatedStack-Guard-${slot}`;
  return {
    alarm: { AlarmName: name, EvaluationPeriods: 1, Threshold: 0.01, ComparisonOperator: 'GreaterThanThreshold' },
    arn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`, from, to, reason: 'threshold crossed', at: when, slot,
  };
}

/** A 20-minute rollback: v2 on green gets 10%, fails a quarter of its requests in minute 12, and is rolled back. */
function syntheticRun(): RunRecord {
  const traffic = new TrafficLog(START);
  for (let minute = 0; minute < 20; minute++) {
    for (let k = 0; k < 30; k++) traffic.add({ at: at(minute, k * 2), variant: 'blue', version: 'v1', requests: 1, failed: 0, bad: 0 }, [40 + k]);
  }
  // Minute 12 on green: latencies 1..100 ms (p99 by nearest rank is 99 ms), one request in four fails.
  for (let k = 1; k <= 100; k++) {
    traffic.add({ at: at(12) + k * 500, variant: 'green', version: 'v2', requests: 1, failed: k % 4 === 0 ? 1 : 0, bad: k % 4 === 0 ? 1 : 0 }, [k]);
  }
  const history = [
    { at: at(10), decision: 'rollout-started', reason: 'no lock held', actor: 'controller', rolloutId: 'r2' },
    { at: at(11), decision: 'traffic-shifted', reason: 'step 0: 10% of traffic to candidate slot green', actor: 'controller', rolloutId: 'r2' },
    { at: at(13), decision: 'rollback', reason: `guard in ALARM ${EVIL}`, actor: 'guard-listener', rolloutId: 'r2' },
  ].map((h) => ({ ...h, endpointName: 'sim-endpoint', sk: `HISTORY#${String(h.at).padStart(13, '0')}#0000` }));
  return {
    scenario: {
      name: 'synthetic-rollback',
      description: 'Checks the <b>report</b> & its escaping',
      seed: 7,
      durationMinutes: 20,
      requestsPerSecond: 1,
      endpoint: {},
      versions: { v1: { errorRate: 0, latencyP50Ms: 40, latencyP99Ms: 80 }, v2: { errorRate: 0.25, latencyP50Ms: 40, latencyP99Ms: 80 } },
      initialVersion: 'v1',
      timeline: [{ atMinute: 10, deploy: 'v2' }],
    },
    start: START,
    end: at(20),
    timeline: [
      { at: at(10), kind: 'deploy', text: 'cdk deploy: v2' },
      { at: at(13), kind: 'decision', text: `rollback: guard in ALARM ${EVIL}` },
    ],
    weights: [
      { at: at(1), status: 'InService', slots: [{ slot: 'blue', version: 'v1', percent: 100 }] },
      { at: at(10, 30), status: 'Updating', slots: [{ slot: 'blue', version: 'v1', percent: 100 }, { slot: 'green', version: 'v2', percent: 0 }] },
      { at: at(11), status: 'InService', slots: [{ slot: 'blue', version: 'v1', percent: 90 }, { slot: 'green', version: 'v2', percent: 10 }] },
      { at: at(13), status: 'InService', slots: [{ slot: 'blue', version: 'v1', percent: 100 }, { slot: 'green', version: 'v2', percent: 0 }] },
      { at: at(15), status: 'InService', slots: [{ slot: 'blue', version: 'v1', percent: 100 }] },
    ],
    alarms: [alarm('blue', 'INSUFFICIENT_DATA', 'OK', at(2)), alarm('green', 'INSUFFICIENT_DATA', 'OK', at(2)), alarm('green', 'OK', 'ALARM', at(12, 50)), alarm('green', 'ALARM', 'OK', at(16))],
    traffic: traffic.samples,
    trafficPerMinute: traffic.minutes,
    smokeRequests: [],
    executions: [],
    history,
    state: undefined,
    rollouts: [{ rolloutId: 'r2', versionId: 'mv-2', kind: 'rollout', startedAt: at(10), endedAt: at(15), outcome: 'rolled-back', reason: 'guard in ALARM' }],
    versionIds: { 'mv-1': 'v1', 'mv-2': 'v2' },
    cfnResponses: [],
    cfnRequests: [],
    regressedAt: { v2: at(12) },
    controlPlaneCalls: [], guardAlarms: [], notifications: [], rolloutEvents: [], alarmEventsDelivered: [], resources: [], tableName: 'table',
    endpointName: 'sim-endpoint',
    calibration: DEFAULT_CALIBRATION,
    metricArrival: { lagSeconds: 0, spreadSeconds: 0, seed: 0 },
    instances: [{ at: at(0), instances: 1 }],
    modelDownloads: [],
    registryChanges: [],
  };
}

function syntheticSummary(run: RunRecord): Summary {
  return {
    scenario: run.scenario.name,
    seed: run.scenario.seed,
    outcome: 'rolled-back',
    rollouts: [{ version: 'v2', kind: 'rollout', outcome: 'rolled-back', reason: 'guard in ALARM', instanceHours: 0.2 }],
    finalStableVersion: 'v1',
    finalWeights: [{ slot: 'blue', version: 'v1', percent: 100 }],
    peakInstances: 3,
    instanceHours: 0.5,
    modelDownloads: 4,
    timeToDetectSeconds: 50,
    timeToRecoverSeconds: 60,
    requests: run.traffic.reduce((n, t) => n + t.requests, 0),
    badRequests: 25,
    stableBadRequests: 3,
    rolloutToPromotionSeconds: null,
    rolloutToEndSeconds: 300,
    simulatedSeconds: 1200,
    decisions: run.history.length,
    denials: 0,
    throttledCalls: 0,
    cloudFormation: [],
    invariants: [
      { id: 1, name: 'LKG untouched until promotion', holds: true, exercised: true, detail: 'LKG serving in all 5 snapshots' },
      { id: 5, name: 'a guard breach returns 100% of traffic to the LKG', holds: false, exercised: true, detail: 'breach never recovered' },
    ],
  };
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

describe('renderHtml', () => {
  const run = syntheticRun();
  const summary = syntheticSummary(run);
  const html = renderHtml(run, summary);

  test('is one self-contained HTML document', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(count(html, '<svg ')).toBe(1);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
    // The only URL is the SVG namespace.
    expect(html.match(/https?:\/\/[^\s"']+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  test('shows the outcome badge and the key figures', () => {
    expect(html).toContain('<span class="badge rolled-back">rolled-back</span>');
    expect(html).toContain('<div class="label">time to detect</div><div class="value">50 s</div>');
    expect(html).toContain('<div class="label">time to recover</div><div class="value">60 s</div>');
    expect(html).toContain('<div class="label">requests</div><div class="value">700</div>');
    expect(html).toContain('<div class="label">bad requests</div><div class="value">25 (3.57%)</div>');
    expect(html).toContain('<div class="label">of which the stable&#39;s baseline</div><div class="value">3</div>');
    expect(html).toContain('<div class="label">rollout to promotion</div><div class="value">-</div>');
    expect(html).toContain('<div class="label">rollout to its end</div><div class="value">5 min 0 s</div>');
    expect(html).toContain('<div class="label">simulated duration</div><div class="value">20 min 0 s</div>');
  });

  test('lists the invariants with whether they hold', () => {
    expect(html).toContain('(1/2 hold)');
    expect(html).toMatch(/<tr class="bad"><td class="num">5<\/td><td>a guard breach returns 100% of traffic to the LKG<\/td><td class="broken">✗ broken<\/td><td>yes<\/td><td>breach never recovered<\/td><\/tr>/);
    expect(html).toMatch(/<td class="holds">✓ holds<\/td><td>yes<\/td><td>LKG serving in all 5 snapshots<\/td>/);
  });

  test('escapes user text everywhere', () => {
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>report</b>');
    expect(html).toContain('Checks the &lt;b&gt;report&lt;/b&gt; &amp; its escaping');
    const escaped = '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;';
    // In the decision log, the marker tooltip and the timeline events table.
    expect(count(html, escaped)).toBe(3);
  });

  test('draws one weight line per slot, labelled with its version', () => {
    expect(count(html, 'class="weight-line"')).toBe(2);
    expect(count(html, 'class="weight-line" data-slot="blue"')).toBe(1);
    expect(count(html, 'class="weight-line" data-slot="green"')).toBe(1);
    expect(html).toContain('>blue: v1 100%</text>');
    // Weight changes are labelled; green's 30 s at 0% is too short for a label, so its version goes with the 10%.
    expect(html).toContain('fill="#2563eb">90%</text>');
    expect(html).toContain('fill="#059669">green: v2 10%</text>');
    expect(html).not.toContain('>green: v2 0%</text>');
    expect(html).toMatch(/<title>green slot: 10:30 v2 0\.0%, 11:00 v2 10\.0%, 13:00 v2 0\.0%, 15:00 not provisioned<\/title>/);
  });

  test('marks each decision, the rollout start and end, and the regression onset', () => {
    expect(count(html, '<g class="decision-marker"')).toBe(run.history.length);
    for (const h of run.history) expect(html).toContain(`<g class="decision-marker" data-decision="${h.decision}"`);
    expect(html).toContain('<title>#2 11:00 traffic-shifted (v2) by controller: step 0: 10% of traffic to candidate slot green</title>');
    expect(count(html, '<g class="rollout-marker"')).toBe(2);
    expect(html).toContain('<title>15:00 rollout of v2 ended: rolled-back (guard in ALARM)</title>');
    expect(count(html, '<g class="fault-marker"')).toBe(1);
    expect(count(html, '<tr id="decision-')).toBe(run.history.length);
    expect(html).toMatch(/<tr id="decision-3" class="bad"><td class="num">3<\/td><td class="time">13:00<\/td><td class="time">09:13:00<\/td><td>guard-listener<\/td><td>rollback<\/td><td>v2<\/td>/);
    // The rollback is named on the chart, not only numbered: decisions that move traffic get their labels first.
    expect(html).toMatch(/<g class="decision-marker" data-decision="rollback" data-n="3">.*?<text [^>]*>3 rollback<\/text><\/g>/s);
  });

  test('aggregates requests per slot and minute: error rate and p99 latency', () => {
    expect(html).toContain('<title>green (v2) minute 12: 25.00% errors (25/100)</title>');
    expect(html).toContain('<title>green (v2) minute 12: p99 99 ms (100 requests)</title>');
    expect(html).toContain('<title>blue (v1) minute 0: 0.00% errors (0/30)</title>');
    // One point per slot and minute with requests, in each of the two panels: never one per request.
    expect(count(html, '<circle ')).toBe(2 * (20 + 1));
  });

  test('draws alarm bands per slot with the worst state of its alarms', () => {
    const bands = [...html.matchAll(/<rect class="alarm-band" data-slot="(\w+)" data-state="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    // Green's alarms mean nothing before its slot exists (10:30) and after it is retired (15:00): never "OK" there.
    expect(bands).toEqual(['blue:NO_SLOT', 'blue:INSUFFICIENT_DATA', 'blue:OK', 'green:NO_SLOT', 'green:OK', 'green:ALARM', 'green:NO_SLOT']);
    expect(html).toContain('<title>green ALARM 12:50–15:00 (Guard-green: ALARM)</title>');
    expect(html).toContain('<title>green NO_SLOT 00:00–10:30 (slot green not provisioned)</title>');
    expect(html).toContain('slot not provisioned</span>');
  });

  test('a retired slot has no line after it is retired (not a 0% line); the stable\'s runs to the end', () => {
    const path = (slot: string) => html.match(new RegExp(`class="weight-line" data-slot="${slot}" d="([^"]+)"`))![1];
    expect(path('green').endsWith('H1180')).toBe(false);
    expect(path('blue').endsWith('H1180')).toBe(true);
  });

  test('clock time (UTC) under the minutes of the time axis, and beside every decision and event', () => {
    expect(html).toContain('>09:10</text>');
    expect(html).toContain('minutes since start; below, clock time (UTC)');
  });

  test('a rollback that names a guard alarm shows the value that breached (CloudWatch\'s reason for the change)', () => {
    const named = { ...run, history: run.history.map((h) => (h.decision === 'rollback' ? { ...h, reason: 'SimulatedStack-Guard-green in ALARM on candidate slot green' } : h)) };
    const out = renderHtml(named, summary);
    expect(out).toContain('<td>SimulatedStack-Guard-green in ALARM on candidate slot green [Guard-green: threshold crossed]</td>');
  });

  test('a decision the judge informed shows its evidence per guard under the reason, as the CLI prints it', () => {
    // 3% errors on the candidate against the stable's 0.5%, ten minutes at 10%: the judge finds it worse.
    const judgement = judgeStep({
      guards: [{
        guard: 'error-rate', spec: { bad: 'errors', objective: 0.01, margin: 0.005, minimumEffect: 2 },
        counts: { periods: Array.from({ length: 10 }, (_, k) => ({ start: at(2 + k), candidate: { requests: 300, bad: 9 }, stable: { requests: 2_700, bad: 14 } })), baseline: { requests: 30_000, bad: 150 } },
      }],
      step: { percent: 10, nextPercent: 100 }, plan: DEFAULT_JUDGE_PLAN, watermark: at(12),
    });
    expect(judgement.answer).toBe('worse');
    const judged = { ...run, history: run.history.map((h) => (h.decision === 'rollback' ? { ...h, evidence: { judgement } } : h)) };
    const out = renderHtml(judged, summary);
    expect(out).toMatch(/<div class="judge">judge: worse, data through 09:12:00Z \(watermark\); at most 1% false rollbacks per rollout, 95% confidence to advance<br> {2}error-rate: candidate 90 errors in 3,000 requests vs stable 140 in 27,000: worse than stable \(evidence [\d.e+]+ &gt;= 200, at most 1% false rollbacks per rollout\)<br> {4}rollback e-value [\d.e+]+ vs stable, [\d.e+]+ vs the 1% objective \(threshold 200\); advance e-value 0 \(threshold 20\) for a bound of 1% = stable&#39;s 0.5% \+ 0.5 points; 10 minute\(s\) counted<\/div><\/td><\/tr>/);
    expect(count(out, '<div class="judge">')).toBe(1);
  });

  test('lists the timeline events', () => {
    expect(html).toMatch(/<tr><td class="time">10:00<\/td><td class="time">09:10:00<\/td><td class="kind">deploy<\/td><td>cdk deploy: v2<\/td><\/tr>/);
  });

  test('gives the same bytes for the same run', () => {
    expect(renderHtml(syntheticRun(), syntheticSummary(syntheticRun()))).toBe(html);
    expect(renderHtml(run, summary)).toBe(html);
  });
});
