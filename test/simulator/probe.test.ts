import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_CALIBRATION, parseCalibration } from '../../simulator/calibration';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Probe, cleanupLeftovers, probeFile } from '../../simulator/probe';
import { PROBE_MODEL, onTwin, probeTwin } from '../../simulator/probe-twin';

/** The twin's account id (simulator/twin/sagemaker.ts). */
const ACCOUNT = '123456789012';

/**
 * The probe against the twin, end to end: the twin runs with known timings, and what the probe measures through the
 * AWS SDK must come back as those timings. Tolerances follow from how the probe measures: it polls every 5 s (0.5 s
 * for read-after-write), so a duration reads up to one poll late; metric arrival is timed per burst of requests, and
 * the twin adds to each minute of data a share of the spread (so the earliest burst reads the lag plus the smallest
 * share drawn, and the spread reads at most the configured one).
 */
const ROOT = path.join(__dirname, '..', '..');

/** Every source file and doc that may claim what the probe measures (the probe's own files describe it, not claim it). */
function claimSources(): string[] {
  const walk = (dir: string): string[] => fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => e.isDirectory() ? (e.name === 'node_modules' ? [] : walk(path.join(dir, e.name))) : /\.ts$/.test(e.name) ? [path.join(dir, e.name)] : []);
  return [...['simulator', 'lambda', 'lib'].flatMap(walk), 'README.md', path.join('docs', 'ARCHITECTURE.md')]
    .filter((f) => !/^simulator[/\\]probe(-twin)?\.ts$/.test(f));
}

/** The probe's run against the twin's defaults, shared by the tests that read it. */
let defaultRun: ReturnType<typeof probeTwin> | undefined;
const probeDefaults = () => (defaultRun ??= probeTwin(DEFAULT_CALIBRATION));

describe('the real-account probe, run against the twin', () => {
  test('reproduces the twin\'s default calibration within its tolerances, and deletes everything it created', async () => {
    const { result, twin } = await probeDefaults();
    const measured = (key: keyof typeof DEFAULT_CALIBRATION) => result.calibration[key]!.value;
    const within = (key: keyof typeof DEFAULT_CALIBRATION, below: number, above: number) => {
      expect(measured(key)).toBeGreaterThanOrEqual(DEFAULT_CALIBRATION[key] - below);
      expect(measured(key)).toBeLessThanOrEqual(DEFAULT_CALIBRATION[key] + above);
    };
    within('createSeconds', 0, 5);
    within('updateSeconds', 0, 5);
    within('deleteSeconds', 0, 5);
    within('weightsSeconds', 0, 1);
    within('describeLagSeconds', 0, 1);
    // The earliest of 10 bursts: the lag plus the smallest share of the spread drawn (and a minute never arrives before
    // the one before it), read up to one poll late.
    within('metricLagSeconds', 0, DEFAULT_CALIBRATION.metricLagSpreadSeconds + 5);
    within('metricLagSpreadSeconds', DEFAULT_CALIBRATION.metricLagSpreadSeconds, 5);
    // With MetricsConfig at 10 s (the updated endpoint's config): the same per 10 s window, polled every 2 s.
    within('fastMetricLagSeconds', 0, DEFAULT_CALIBRATION.fastMetricLagSpreadSeconds + 3);
    within('fastMetricLagSpreadSeconds', DEFAULT_CALIBRATION.fastMetricLagSpreadSeconds, 3);
    expect(measured('fastMetricLagSpreadSeconds')).toBeGreaterThan(0);
    expect(result.facts.fastMetricArrivalSeconds).toHaveLength(12);
    // The two are told apart: 10 s data arrives sooner than 60 s data, as the twin's calibration says.
    expect(measured('fastMetricLagSeconds')).toBeLessThan(measured('metricLagSeconds'));
    // Alarm events: the earliest of 10 deliveries is the delay plus the smallest share of the spread drawn; their
    // spread is at most the configured one; the twin sends none twice.
    within('eventDelaySeconds', 0, DEFAULT_CALIBRATION.eventDelaySpreadSeconds);
    within('eventDelaySpreadSeconds', DEFAULT_CALIBRATION.eventDelaySpreadSeconds, 0);
    expect(measured('eventDelaySpreadSeconds')).toBeGreaterThan(0);
    expect(result.facts.eventDeliverySeconds).toHaveLength(10);
    expect(result.facts.eventDuplicates).toBe('0 of 10');
    // The error answers the twin assumes come back as the twin gives them.
    expect(result.facts.invalidPageToken).toMatch(/^ValidationException: Invalid pagination token/);
    expect(result.facts.tagsOfMissingEndpoint).toMatch(/^ResourceNotFound: Resource .*-missing does not exist/);
    expect(result.facts.targetVariantAtWeightZero).toBe('answered by variant b');
    expect(result.facts.modelLatencyP99).toMatch(/^answered \d+ datapoint/);
    // The facts the twin assumes and the probe checks: DescribeAlarmHistory newest first and a default page of at least
    // the alarm's state updates (the twin's 100 holds them all); ModelLatency's SampleCount and PR(:T) per minute,
    // agreeing with the 5 requests of each burst; datapoints in order (the fast windows' 30 s spread exceeds their
    // 10 s, so only the twin's ordering keeps a later window from showing before an earlier one).
    expect(result.facts.alarmHistoryOrder).toBe('newest first');
    expect(result.facts.alarmHistoryDefaultPage).toMatch(/^at least (\d+): all \1 of its alarm's state updates on one page, without a NextToken$/);
    expect(Number(/^at least (\d+)/.exec(result.facts.alarmHistoryDefaultPage)![1])).toBeGreaterThanOrEqual(10);
    expect(result.facts.modelLatencyCounts).toMatch(/^SampleCount equal to the requests sent \(5\) in 10 of 10 minutes; PR\(:\d+\) answered in 10 of 10 minutes \(\d+ to \d+ %\), a whole number of the samples in 10 of 10$/);
    expect(result.facts.metricOrder).toBe(`in order: in ${result.facts.metricOrder.match(/in (\d+) polls/)![1]} polls of 10 minutes and 12 ten-second windows, no window showed data while an earlier one was incomplete`);
    // UpdateEndpoint brings up a new fleet for unchanged variants too: their images resolve again (DeployedImages).
    expect(result.facts.unchangedVariantRecreated).toBe('true');
    // Nothing is left behind.
    expect([...twin.sagemaker.endpoints.keys(), ...twin.sagemaker.configs.keys(), ...twin.sagemaker.models.keys()]).toEqual([]);
    expect([...twin.sqs.queues.keys(), ...twin.cloudwatch.alarms.keys(), ...twin.eventbridge.rules.map((r) => r.name)]).toEqual([]);
    // The file it writes is a calibration the simulator loads, with the facts beside the timings and no account id
    // (the missing endpoint's answer quotes its ARN).
    const file = probeFile(result);
    expect(parseCalibration(file, 'probe.json', DEFAULT_CALIBRATION).createSeconds).toBe(measured('createSeconds'));
    expect(JSON.parse(file).$facts.targetVariantAtWeightZero).toBe('answered by variant b');
    expect(result.facts.tagsOfMissingEndpoint).toContain(ACCOUNT);
    expect(file).not.toContain(ACCOUNT);
    expect(JSON.parse(file).$facts.tagsOfMissingEndpoint).toContain(':<account>:');
  });

  test('every claim that the probe measures something names what it measures: a fact or calibration key of its result', async () => {
    const { result } = await probeDefaults();
    const measured = new Set([...Object.keys(result.facts), ...Object.keys(result.calibration)]);
    const unfounded: string[] = [];
    for (const file of claimSources()) {
      // Comments and markdown wrap lines: read the text as one line, without comment leaders.
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\n\s*(\*(?!\/)|\/\/)?\s*/g, ' ');
      for (const claim of text.matchAll(/the probe (measures|checks|reports|would show)|measured by the probe|probe must confirm/gi)) {
        // The claim names its subject within the next 120 characters, as `key`.
        const named = [...text.slice(claim.index, claim.index + 120).matchAll(/`(\w+)`/g)].map((m) => m[1]);
        if (!named.some((key) => measured.has(key))) unfounded.push(`${file}: ...${text.slice(claim.index, claim.index + 120)}`);
      }
    }
    // calibration.json: an entry measured by the probe is one the probe's calibration has (its key is the subject).
    const entries = JSON.parse(fs.readFileSync(path.join(ROOT, 'simulator', 'twin', 'calibration.json'), 'utf8')) as Record<string, { source?: string }>;
    for (const [key, entry] of Object.entries(entries)) {
      if (/measured by the probe/i.test(entry.source ?? '') && !(key in result.calibration)) unfounded.push(`calibration.json: ${key}`);
    }
    expect(unfounded).toEqual([]);
  });

  test('follows other timings too: a slower twin (create 600 s, weights 60 s, metrics 150 s late, 10 s metrics 70 s late) is measured as slower', async () => {
    const slow = { ...DEFAULT_CALIBRATION, createSeconds: 600, weightsSeconds: 60, metricLagSeconds: 150, metricLagSpreadSeconds: 30, describeLagSeconds: 5, eventDelaySeconds: 20, eventDelaySpreadSeconds: 10, fastMetricLagSeconds: 70, fastMetricLagSpreadSeconds: 5 };
    const { result } = await probeTwin(slow);
    expect(result.calibration.createSeconds!.value).toBeGreaterThanOrEqual(600);
    expect(result.calibration.createSeconds!.value).toBeLessThanOrEqual(605);
    expect(result.calibration.weightsSeconds!.value).toBeGreaterThanOrEqual(60);
    expect(result.calibration.weightsSeconds!.value).toBeLessThanOrEqual(61);
    expect(result.calibration.describeLagSeconds!.value).toBeGreaterThanOrEqual(5);
    expect(result.calibration.describeLagSeconds!.value).toBeLessThanOrEqual(6);
    expect(result.calibration.metricLagSeconds!.value).toBeGreaterThanOrEqual(150);
    expect(result.calibration.metricLagSeconds!.value).toBeLessThanOrEqual(150 + 30 + 5);
    expect(result.calibration.eventDelaySeconds!.value).toBeGreaterThanOrEqual(20);
    expect(result.calibration.eventDelaySeconds!.value).toBeLessThanOrEqual(30);
    expect(result.calibration.eventDelaySpreadSeconds!.value).toBeLessThanOrEqual(10);
    expect(result.calibration.fastMetricLagSeconds!.value).toBeGreaterThanOrEqual(70);
    expect(result.calibration.fastMetricLagSeconds!.value).toBeLessThanOrEqual(70 + 5 + 3);
    expect(result.calibration.fastMetricLagSpreadSeconds!.value).toBeLessThanOrEqual(5 + 3);
  });

  test('sees datapoints arrive in order where the twin\'s ordering matters: seed 2 draws a 10-s window more than 10 s later than the next', async () => {
    // Without the twin's rule that no window overtakes an earlier one (twin/cloudwatch.ts, metricArrival), this run's
    // probe reports a later 10-s window with data while the one before it shows none (checked by removing the rule).
    const { result } = await probeTwin(DEFAULT_CALIBRATION, { metricMinutes: 2, eventChanges: 2 }, 2);
    expect(result.facts.metricOrder).toMatch(/^in order: in \d+ polls of 2 minutes and 12 ten-second windows/);
  });

  test('a probe whose endpoint ends Failed stops with the reason and still deletes what it created', async () => {
    const left = await onTwin(DEFAULT_CALIBRATION, 1, { failNextCreate: true }, async (twin) => {
      await expect(new Probe({ ...PROBE_MODEL, runId: 'failing' }).run()).rejects.toThrow(/endpoint sagemaker-rollout-probe-failing failed after 30\d s: /);
      // The endpoint is being deleted (it goes after deleteSeconds); its configs and model are gone.
      return [...[...twin.sagemaker.endpoints.values()].map((e) => e.status), ...twin.sagemaker.configs.keys(), ...twin.sagemaker.models.keys()];
    });
    expect(left).toEqual(['Deleting']);
  });

  test('probe --cleanup deletes the leftovers of an interrupted probe, and only those', async () => {
    const left = await onTwin(DEFAULT_CALIBRATION, 1, {}, async (twin) => {
      const sagemaker = new SageMakerClient({});
      for (const name of ['sagemaker-rollout-probe-old', 'my-own-endpoint']) {
        await sagemaker.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: PROBE_MODEL.executionRoleArn, PrimaryContainer: { Image: PROBE_MODEL.image, ModelDataUrl: PROBE_MODEL.modelDataUrl } }));
        await sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'a', ModelName: name, InstanceType: 'ml.c5.large', InitialInstanceCount: 1 }] }));
        await sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
      }
      // What an interrupted event-delivery measurement leaves: a rule with its queue target, an alarm, the queue.
      const queueUrl = (await new SQSClient({}).send(new CreateQueueCommand({ QueueName: 'sagemaker-rollout-probe-old' }))).QueueUrl!;
      await new CloudWatchClient({}).send(new PutMetricAlarmCommand({ AlarmName: 'sagemaker-rollout-probe-old', Namespace: 'N', MetricName: 'M', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }));
      await new CloudWatchClient({}).send(new PutMetricAlarmCommand({ AlarmName: 'my-own-alarm', Namespace: 'N', MetricName: 'M', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }));
      const events = new EventBridgeClient({});
      await events.send(new PutRuleCommand({ Name: 'sagemaker-rollout-probe-old', EventPattern: JSON.stringify({ source: ['aws.cloudwatch'] }) }));
      await events.send(new PutTargetsCommand({ Rule: 'sagemaker-rollout-probe-old', Targets: [{ Id: 'probe-queue', Arn: 'arn:aws:sqs:us-east-1:123456789012:sagemaker-rollout-probe-old' }] }));
      expect(await cleanupLeftovers()).toEqual([
        'rule sagemaker-rollout-probe-old', 'alarm sagemaker-rollout-probe-old', `queue ${queueUrl}`,
        'endpoint sagemaker-rollout-probe-old', 'config sagemaker-rollout-probe-old', 'model sagemaker-rollout-probe-old',
      ]);
      return [...twin.sagemaker.configs.keys(), ...twin.sagemaker.models.keys(), ...twin.cloudwatch.alarms.keys(), ...twin.sqs.queues.keys(), ...twin.eventbridge.rules.map((r) => r.name)];
    });
    expect(left).toEqual(['my-own-endpoint', 'my-own-endpoint', 'my-own-alarm']);
  });
});
