import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

const LAUNCHER = path.join(__dirname, '..', '..', 'tools', 'bin', 'cdk-sagemaker-rollout.js');

/** The CLI with no AWS credentials: what it refuses must be refused before it reaches AWS. */
function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: os.tmpdir(), AWS_EC2_METADATA_DISABLED: 'true' };
  for (const k of Object.keys(env)) if ((k.startsWith('AWS_') && k !== 'AWS_EC2_METADATA_DISABLED') || k.startsWith('ROLLOUT_')) delete env[k];
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('cdk-sagemaker-rollout drill', () => {
  test('--help says what a drill does, and takes --no-wait, --timeout, --region, --profile and --json', () => {
    const { code, out } = cli('drill', '--help');
    expect(code).toBe(0);
    expect(out.replace(/\s+/g, ' ')).toContain('the stable version is rolled out again as the candidate, one of its guard alarms is forced to ALARM');
    for (const flag of ['--no-wait', '--timeout <seconds>', '--reason <text>', '--by <name>', '--region <region>', '--profile <name>', '--json', '--state-machine <arn>']) {
      expect(out).toContain(flag);
    }
  });

  test('needs the endpoint, the table and the state machine; a bad --timeout is a usage error, before any AWS call', () => {
    expect(cli('drill', '--table', 't', '--state-machine', 'arn:aws:states:eu-west-1:1:stateMachine:m')).toMatchObject({ code: 2, out: expect.stringContaining("required option '--endpoint <name>'") });
    expect(cli('drill', '--endpoint', 'e', '--table', 't')).toMatchObject({ code: 2, out: expect.stringContaining("required option '--state-machine <arn>'") });
    expect(cli('drill', '--endpoint', 'e', '--table', 't', '--state-machine', 'arn:aws:states:eu-west-1:1:stateMachine:m', '--timeout', '0'))
      .toMatchObject({ code: 2, out: expect.stringContaining('--timeout must be a positive number of seconds, got 0') });
  });

  test('without credentials it fails (exit 1) at the first AWS call, naming the profile and region to check', () => {
    const r = cli('drill', '--endpoint', 'e', '--table', 't', '--state-machine', 'arn:aws:states:eu-west-1:1:stateMachine:m', '--by', 'me', '--region', 'eu-west-1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cdk-sagemaker-rollout: .*(credentials|Could not load)/i);
  });
});
