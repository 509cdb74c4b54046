import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

const LAUNCHER = path.join(__dirname, '..', '..', 'tools', 'bin', 'cdk-sagemaker-rollout.js');

/** Runs the command as `npx cdk-sagemaker-rollout` does in a clone (the workspace's launcher, on the sources). */
function cli(...args: string[]) {
  // No credentials anywhere (and no instance metadata look-up): a command that reaches AWS stops at the credentials.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: os.tmpdir(), AWS_EC2_METADATA_DISABLED: 'true' };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_') && k !== 'AWS_EC2_METADATA_DISABLED' || k.startsWith('ROLLOUT_')) delete env[k];
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('cdk-sagemaker-rollout command line', () => {
  test('--help lists every command and the exit codes', () => {
    const { code, out } = cli('--help');
    expect(code).toBe(0);
    for (const command of ['status', 'history', 'approve', 'reject', 'rollback', 'abort', 'undo', 'retry', 'promote', 'watch', 'simulate', 'probe']) expect(out).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(out).toMatch(/Exit codes:[\s\S]*2 {2}usage error[\s\S]*3 {2}simulate: a safety invariant did not hold[\s\S]*4 {2}status --wait-for promoted: the rollout ended without promotion[\s\S]*5 {2}status --wait-for: timed out/);
  });

  test.each(['status', 'history', 'approve', 'reject', 'rollback', 'abort', 'undo', 'retry', 'promote', 'watch', 'simulate', 'probe'])('%s takes --region, --profile and --json', (command) => {
    const { code, out } = cli(command, '--help');
    expect(code).toBe(0);
    for (const flag of ['--region <region>', '--profile <name>', '--json']) expect(out).toContain(flag);
  });

  test('probe names the model it needs, prints what it creates and its cost, and creates nothing unless asked to', () => {
    const missing = cli('probe', '--region', 'eu-west-1');
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('probe needs a model SageMaker can serve: pass --image, --model-data, --role');
    const declined = spawnSync(process.execPath, [LAUNCHER, 'probe', '--region', 'eu-west-1', '--image', 'img', '--model-data', 's3://b/m.tar.gz', '--role', 'arn:aws:iam::1:role/r', '--price-per-hour', '0.1'],
      { encoding: 'utf8', input: 'n\n', env: { ...process.env, HOME: os.tmpdir(), AWS_EC2_METADATA_DISABLED: 'true' } });
    const out = `${declined.stdout}${declined.stderr}`;
    expect(declined.status).toBe(0);
    expect(out).toMatch(/creates in eu-west-1: one model, two endpoint configs \(the second publishing metrics every 10 s\) and one endpoint of two ml\.c5\.large instances/);
    expect(out).toMatch(/Estimated cost: about [\d.]+ instance-hours of ml\.c5\.large = about \$[\d.]+/);
    expect(out).toContain('nothing created');
  });

  test('status --wait-for takes promoted or settled, and a positive --timeout; anything else is a usage error', () => {
    const bad = cli('status', '--endpoint', 'e', '--table', 't', '--wait-for', 'done');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/--wait-for <what>' argument 'done' is invalid\. Allowed choices are promoted, settled/);
    const timeout = cli('status', '--endpoint', 'e', '--table', 't', '--wait-for', 'promoted', '--timeout', '0');
    expect(timeout.code).toBe(2);
    expect(timeout.out).toContain('--timeout must be a positive number of seconds, got 0');
  });

  test('promote requires a reason for the record and offers --full; without one it is a usage error', () => {
    const help = cli('promote', '--help');
    expect(help.out).toContain('--full');
    expect(help.out).toMatch(/--reason <text>\s+why, for the record/);
    const noReason = cli('promote', '--endpoint', 'e', '--table', 't', '--state-machine', 'arn:aws:states:us-east-1:1:stateMachine:m', '--full');
    expect(noReason.code).toBe(2);
    expect(noReason.out).toContain("required option '--reason <text>' not specified");
  });

  test('usage errors exit 2 and name the problem', () => {
    const unknown = cli('status', '--endpoint', 'e', '--table', 't', '--colour', 'red');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("unknown option '--colour'");
    const limit = cli('history', '--endpoint', 'e', '--table', 't', '--limit', '0');
    expect(limit.code).toBe(2);
    expect(limit.out).toContain('--limit must be a positive whole number, got 0');
  });

  test('--region and --profile reach the AWS SDK: a profile that does not exist is named with the fix', () => {
    const { code, out } = cli('status', '--endpoint', 'e', '--table', 't', '--region', 'eu-north-1', '--profile', 'no-such-profile');
    expect(code).toBe(1);
    expect(out).toContain("(profile 'no-such-profile', region eu-north-1): pass --profile with a profile of ~/.aws/config");
  });

  test('simulate: an app that does not synthesize exits 1 with its output', () => {
    const { code, out } = cli('simulate', '--app', 'node -e "process.exit(4)"', '--endpoint', 'x', '--scenario', 'healthy');
    expect(code).toBe(1);
    expect(out).toContain('did not synthesize (exit code 4)');
  });
});
