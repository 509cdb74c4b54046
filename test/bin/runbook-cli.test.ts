import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { BlueGreenEndpoint } from '../../lib';
import { ecrVersion } from '../lib/fixtures';

const LAUNCHER = path.join(__dirname, '..', '..', 'tools', 'bin', 'cdk-sagemaker-rollout.js');

/** The CLI with no AWS credentials at all: `runbook` must not need them. */
function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: os.tmpdir(), AWS_EC2_METADATA_DISABLED: 'true' };
  for (const k of Object.keys(env)) if ((k.startsWith('AWS_') && k !== 'AWS_EC2_METADATA_DISABLED') || k.startsWith('ROLLOUT_')) delete env[k];
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let outdir: string;
let runbooks: Record<string, string>;

beforeAll(() => {
  // One app, as `cdk synth` writes it: fraud-scoring in two regions (two stacks), churn in one.
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-cli-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  runbooks = {};
  for (const region of ['eu-west-1', 'us-east-1']) {
    const stack = new Stack(app, `Scoring-${region}`, { env: { account: '123456789012', region } });
    runbooks[`fraud-scoring@${stack.stackName}`] = new BlueGreenEndpoint(stack, 'Fraud', { endpointName: 'fraud-scoring', modelVersion: ecrVersion(stack) }).runbook;
    if (region === 'eu-west-1') runbooks.churn = new BlueGreenEndpoint(stack, 'Churn', { endpointName: 'churn', modelVersion: ecrVersion(stack, 'Repo2') }).runbook;
  }
  app.synth();
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('cdk-sagemaker-rollout runbook', () => {
  test('prints the endpoint\'s runbook from the cloud assembly, offline, and says which file and synth it came from', () => {
    const r = cli('runbook', '--endpoint', 'churn', '--cdk-out', outdir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${runbooks.churn}\n`);
    expect(r.stderr).toMatch(new RegExp(`^from ${outdir}/asset\\.[0-9a-f]+\\.md, synthesized \\d{4}-\\d\\d-\\d\\dT`));
  });

  test('an endpoint declared by two stacks needs --stack, which picks its runbook', () => {
    const both = cli('runbook', '--endpoint', 'fraud-scoring', '--cdk-out', outdir);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('endpoint fraud-scoring has a runbook in 2 stacks (Scoring-eu-west-1, Scoring-us-east-1): pass --stack <name>');
    const one = cli('runbook', '--endpoint', 'fraud-scoring', '--cdk-out', outdir, '--stack', 'Scoring-us-east-1', '--json');
    expect(one.code).toBe(0);
    const json = JSON.parse(one.stdout);
    expect(json.markdown).toBe(runbooks['fraud-scoring@Scoring-us-east-1']);
    expect(json.markdown).toContain('--region us-east-1');
  });

  test('an unknown endpoint or a directory that is not a cloud assembly fails (exit 1) saying what to do', () => {
    const unknown = cli('runbook', '--endpoint', 'fraud', '--cdk-out', outdir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`no runbook for endpoint fraud in ${outdir}: check the endpointName of the BlueGreenEndpoint, and run \`npx cdk synth\` again`);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'not-an-assembly-'));
    const none = cli('runbook', '--endpoint', 'churn', '--cdk-out', empty);
    fs.rmSync(empty, { recursive: true });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`${empty} is not a cloud assembly (no manifest.json): run \`npx cdk synth\` in your CDK app first, or pass --cdk-out <dir>`);
    const usage = cli('runbook', '--cdk-out', outdir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--endpoint <name>' not specified");
  });
});
