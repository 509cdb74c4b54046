import './support/env';
import './support/metrics-on';
import { METRIC_NAMESPACE } from '../../../lambda/core';
import { release } from '../../../lambda/handlers/actions/release';
import { rollback } from '../../../lambda/handlers/actions/rollback';
import { mockAws } from './support/aws-mocks';
import { captureStdout } from './support/stdout';
import { CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, putRecord, putState, rollingOut, variant, version } from './support/fixtures';

/**
 * The controller's metrics as CloudWatch Logs receives them: Embedded Metric Format documents, one JSON line each on
 * stdout (Powertools Metrics). Each test reads what the handler printed.
 */
const aws = mockAws();
let stdout: ReturnType<typeof captureStdout>;
beforeEach(() => {
  aws.reset();
  stdout = captureStdout();
});
afterEach(() => {
  stdout.restore();
  jest.restoreAllMocks();
});
type Emf = Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } };
const emf = () => stdout.lines().filter((l) => '_aws' in l) as Emf[];

const ROLLOUT = context().rolloutId;

test('a rollout that ends counts once by outcome, for the controller (Outcome) and the endpoint (EndpointName, Outcome), with its time to promote', async () => {
  putState(aws.table, rollingOut());
  putRecord(aws.table, `ROLLOUT#${ROLLOUT}`, { endpointName: ENDPOINT, rolloutId: ROLLOUT, startedAt: T0 - 1_800_000 });
  await release(context({ outcome: 'promoted', reason: 'promoted', promotedAt: T0 - 600_000, next: 'release' }), { now: T0, executionArn: EXECUTION_ARN });
  const [controller, outcome, promote] = emf();
  expect(controller).toMatchObject({
    _aws: { CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['Outcome']], Metrics: [{ Name: 'Rollouts', Unit: 'Count' }] }] },
    Outcome: 'promoted', Rollouts: 1, rolloutId: ROLLOUT,
  });
  expect(outcome).toMatchObject({
    _aws: { CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['EndpointName', 'Outcome']], Metrics: [{ Name: 'Rollouts', Unit: 'Count' }] }] },
    Outcome: 'promoted', EndpointName: ENDPOINT, Rollouts: 1, rolloutId: ROLLOUT,
  });
  expect(outcome).not.toHaveProperty('service');
  // Published without Powertools' duplicate-dimension warning (it would land in the logs at every rollout end).
  expect(stdout.raw().filter((l) => !l.startsWith('{"_aws"'))).toEqual([]);
  expect(promote).toMatchObject({
    _aws: { CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['EndpointName']], Metrics: [{ Name: 'TimeToPromote', Unit: 'Seconds' }] }] },
    EndpointName: ENDPOINT, TimeToPromote: 1200,
  });
  expect(emf()).toHaveLength(3);
  // A retried Release finds the end recorded: nothing counted twice.
  await release(context({ outcome: 'promoted', reason: 'promoted', promotedAt: T0 - 600_000, next: 'release' }), { now: T0 + 1000, executionArn: EXECUTION_ARN });
  expect(emf()).toHaveLength(3);
});

test('a rollback reports time to detect and to recover from the candidate\'s first traffic, and the candidate back at 0%', async () => {
  putState(aws.table, rollingOut());
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  putRecord(aws.table, `ROLLOUT#${ROLLOUT}`, { endpointName: ENDPOINT, rolloutId: ROLLOUT, startedAt: T0 - 600_000 });
  putRecord(aws.table, `HISTORY#${String(T0 - 240_000).padStart(13, '0')}#0000`, { endpointName: ENDPOINT, rolloutId: ROLLOUT, at: T0 - 240_000, decision: 'traffic-shifted', reason: 'step 0', actor: 'controller' });
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
  // Traffic is verified back on the stable 2.5 s after the decision.
  jest.spyOn(Date, 'now').mockReturnValue(T0 + 2_500);
  await rollback(context({ reason: 'candidate guard in ALARM at step 0 (10%): fraud-errors-green' }), { now: T0, executionArn: EXECUTION_ARN });
  expect(emf().map((d) => [d._aws.CloudWatchMetrics[0].Metrics[0].Name, d._aws.CloudWatchMetrics[0].Dimensions, d.EndpointName])).toEqual([
    ['TimeToDetect', [['EndpointName']], ENDPOINT], ['TimeToRecover', [['EndpointName']], ENDPOINT], ['CandidateTrafficPercent', [['EndpointName']], ENDPOINT],
  ]);
  expect(emf().map((d) => d.TimeToDetect ?? d.TimeToRecover ?? d.CandidateTrafficPercent)).toEqual([240, 242.5, 0]);
});
