import * as fs from 'node:fs';
import * as path from 'node:path';
import { quietSdkNodeNotice } from './quiet';
import { renderHtml } from './report-html';
import { speedText, summaryTable, summaryText, timelineLine } from './report';
import { simulate } from './simulation';
import { summarize, Summary } from './summary';
import { findUserEndpoint, synthesizeUserApp, whatIfScenarios, withAppCallers } from './user-app';

export interface WhatIfOptions {
  /** The command that runs the user's CDK app. */
  readonly app: string;
  /** The endpointName of the BlueGreenEndpoint to simulate. */
  readonly endpoint: string;
  /** A preset or scenario file; every preset when absent. */
  readonly scenario?: string;
  /** Where the HTML reports go. */
  readonly out: string;
  /** Print each timeline as it happens. */
  readonly live: boolean;
  /** Print the summaries as JSON (and nothing else on stdout). */
  readonly json: boolean;
}

/** `cdk-sagemaker-rollout simulate`: the user's endpoint spec through the preset (or given) scenarios. */
export async function whatIf(options: WhatIfOptions): Promise<Summary[]> {
  quietSdkNodeNotice();
  const scenarios = whatIfScenarios(options.scenario);
  const say = (text: string) => { if (!options.json) process.stdout.write(text); };
  say(`synthesizing ${options.app} ...\n`);
  const endpoint = findUserEndpoint(synthesizeUserApp(options.app), options.endpoint);
  say(`endpoint ${endpoint.spec.endpointName} (stack ${endpoint.stackName}): ${endpoint.spec.plan.steps.map((s) => (s.mirrorPercent === undefined ? `${s.percent}%` : `shadow ${s.mirrorPercent}%`)).join(' → ')}, `
    + `guards ${endpoint.spec.guards.map((g) => g.name).join(', ') || 'none'}\n`);
  const summaries: Summary[] = [];
  const reports: Record<string, string> = {};
  for (const scenario of scenarios) {
    say(`\n▶ ${scenario.name}${scenario.description ? `: ${scenario.description}` : ''}\n`);
    const started = Date.now();
    const run = await simulate(withAppCallers(scenario, endpoint.spec), options.live ? (e) => process.stdout.write(`${timelineLine(e)}\n`) : undefined, (v, a) => endpoint.synthesize(v, a));
    const summary = summarize(run);
    if (!options.live) say(`${run.timeline.filter((e) => e.kind === 'decision' || e.kind === 'deploy').map(timelineLine).join('\n')}\n`);
    fs.mkdirSync(options.out, { recursive: true });
    const file = path.join(options.out, `${endpoint.spec.endpointName}-${scenario.name}.html`);
    fs.writeFileSync(file, renderHtml(run, summary));
    reports[scenario.name] = file;
    say(`\n${summaryText(summary)}\n  ${speedText(run, Date.now() - started)}\n  report: ${file}\n`);
    summaries.push(summary);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(summaries.map((s) => ({ ...s, report: reports[s.scenario] })), null, 2)}\n`);
  else say(`\n${summaryTable(summaries)}\n`);
  return summaries;
}
