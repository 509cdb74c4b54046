import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { renderHtml } from './report-html';
import { speedText, summaryTable, summaryText, timelineLine } from './report';
import { quietSdkNodeNotice } from './quiet';
import { Calibration, DEFAULT_CALIBRATION, loadCalibration } from './calibration';
import { loadScenario, Scenario } from './scenario';
import { RunRecord, simulate } from './simulation';
import { summarize, Summary } from './summary';

const ROOT = path.join(__dirname, '..');
const DEMO = ['healthy-canary-promoted.json', 'regression-rolled-back.json'].map((f) => path.join(ROOT, 'scenarios', f));

function scenarioFiles(inputs: string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new Error(`scenario path ${input} does not exist: give a scenario .json file or a folder of them`);
    if (fs.statSync(input).isDirectory()) {
      files.push(...fs.readdirSync(input).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(input, f)));
    } else {
      files.push(input);
    }
  }
  if (files.length === 0) throw new Error(`no scenario .json files in ${inputs.join(', ')}`);
  return files;
}

async function runOne(scenario: Scenario, live: boolean, calibration: Calibration = DEFAULT_CALIBRATION): Promise<{ run: RunRecord; summary: Summary; wallMs: number }> {
  const started = Date.now();
  const run = await simulate(scenario, live ? (e) => process.stdout.write(`${timelineLine(e)}\n`) : undefined, undefined, calibration);
  return { run, summary: summarize(run), wallMs: Date.now() - started };
}

function writeHtml(dir: string, run: RunRecord, summary: Summary): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${summary.scenario}.html`);
  fs.writeFileSync(file, renderHtml(run, summary));
  return file;
}

const program = new Command()
  .name('sim')
  .description('Runs rollout scenarios against the local twin of SageMaker, CloudWatch and Step Functions, on a virtual clock');

program.command('demo')
  .description('a healthy candidate promoted, then a regressing candidate rolled back, with a live timeline and HTML reports')
  .option('--out <dir>', 'where the HTML reports go', 'reports')
  .action(async (options: { out: string }) => {
    const summaries: Summary[] = [];
    for (const file of DEMO) {
      const scenario = loadScenario(file);
      process.stdout.write(`\n▶ ${scenario.name}\n  ${scenario.description ?? ''}\n\n`);
      const { run, summary, wallMs } = await runOne(scenario, true);
      process.stdout.write(`\n${summaryText(summary)}\n  ${speedText(run, wallMs)}\n  report: ${writeHtml(options.out, run, summary)}\n`);
      summaries.push(summary);
    }
    process.stdout.write(`\n${summaryTable(summaries)}\n`);
    if (summaries.some((s) => s.invariants.some((i) => !i.holds))) process.exitCode = 1;
  });

program.command('run')
  .description('runs scenario files (or folders of them) and prints a table')
  .argument('<paths...>', 'scenario .json files or folders')
  .option('--json', 'print the summaries as JSON instead of a table')
  .option('--timeline', 'print each run\'s timeline as it happens')
  .option('--html <dir>', 'write an HTML report per scenario into this folder')
  .option('--calibration <file>', 'timings that replace the twin\'s defaults (a JSON file in the format of simulator/twin/calibration.json)')
  .action(async (paths: string[], options: { json?: boolean; timeline?: boolean; html?: string; calibration?: string }) => {
    const summaries: Summary[] = [];
    const calibration = options.calibration ? loadCalibration(options.calibration) : DEFAULT_CALIBRATION;
    for (const file of scenarioFiles(paths)) {
      const scenario = loadScenario(file);
      if (options.timeline && !options.json) process.stdout.write(`\n▶ ${scenario.name}\n`);
      const { run, summary } = await runOne(scenario, Boolean(options.timeline && !options.json), calibration);
      if (options.html) writeHtml(options.html, run, summary);
      summaries.push(summary);
    }
    process.stdout.write(options.json ? `${JSON.stringify(summaries, null, 2)}\n` : `\n${summaryTable(summaries)}\n`);
    if (summaries.some((s) => s.invariants.some((i) => !i.holds))) process.exitCode = 1;
  });

quietSdkNodeNotice();
program.parseAsync().catch((error: Error) => {
  process.stderr.write(`sim: ${error.message}\n`);
  process.exitCode = 2;
});
