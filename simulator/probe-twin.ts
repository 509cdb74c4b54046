import { Calibration, DEFAULT_CALIBRATION, metricArrivals } from './calibration';
import { VirtualClock } from './clock';
import { Probe, ProbeOptions, ProbeResult } from './probe';
import type { SageMakerBehaviour } from './twin/sagemaker';
import { Random } from './random';
import { MODEL_BUCKET, MODEL_REPOSITORY, modelArtifact } from './scenario-app';
import { SIMULATION_START, setProcessEnv, settle } from './simulation';
import { ACCOUNT, REGION } from './template';
import { installTransport, uninstallTransport } from './transport';
import { ServiceTwin } from './twin';
import { alarmStateEvent } from './twin/eventbridge';

/** The model the probe deploys in the twin (the twin knows a version by its model data URL). */
const VERSION = 'probe';

/**
 * Runs the real-account probe end to end against the twin, on the virtual clock: the probe's SDK requests go through
 * the wire-level transport to a twin with `calibration`'s timings, and what the probe measures must come back as those
 * timings (test/simulator/probe.test.ts states the tolerances).
 */
export async function probeTwin(calibration: Calibration = DEFAULT_CALIBRATION, options: Partial<ProbeOptions> = {}, seed = 1): Promise<{ result: ProbeResult; twin: ServiceTwin }> {
  return onTwin(calibration, seed, {}, (twin) => new Probe({ ...PROBE_MODEL, runId: 'twin', ...options }).run().then((result) => ({ result, twin })));
}

/** The model the probe deploys in the twin. */
export const PROBE_MODEL = {
  image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${MODEL_REPOSITORY}:${VERSION}`,
  modelDataUrl: `s3://${MODEL_BUCKET}/${modelArtifact(VERSION).key}`,
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/probe-model-role`,
};

/**
 * Runs `body` (AWS SDK calls) against a twin with these timings, on the virtual clock, driving the clock until it is
 * done. `faults` go to the SageMaker twin (e.g. a create that ends Failed).
 */
export async function onTwin<T>(calibration: Calibration, seed: number, faults: Partial<SageMakerBehaviour>, body: (twin: ServiceTwin) => Promise<T>): Promise<T> {
  const restoreEnv = setProcessEnv();
  const originalRandom = Math.random;
  const sdkRandom = new Random(seed ^ 0x5bd1e995);
  Math.random = () => sdkRandom.next();
  const clock = new VirtualClock(SIMULATION_START);
  const eventRandom = new Random(seed ^ 0x2545f491);
  const twin = new ServiceTwin({
    sagemaker: {
      createSeconds: calibration.createSeconds, updateSeconds: calibration.updateSeconds, weightsSeconds: calibration.weightsSeconds,
      deleteSeconds: calibration.deleteSeconds, describeLagSeconds: calibration.describeLagSeconds, throttled: () => false, ...faults,
    },
    metricArrival: metricArrivals(calibration, seed).standard,
    fastMetricArrival: metricArrivals(calibration, seed).fast,
    events: { delaySeconds: calibration.eventDelaySeconds, spreadSeconds: calibration.eventDelaySpreadSeconds, random: () => eventRandom.next() },
    profiles: { [VERSION]: { errorRate: 0, latencyP50Ms: 20, latencyP99Ms: 60 } },
    objects: [{ bucket: MODEL_BUCKET, key: modelArtifact(VERSION).key, sha256Hex: modelArtifact(VERSION).sha256, size: 1024 }],
    images: [{ repository: MODEL_REPOSITORY, tag: VERSION, digest: modelArtifact(VERSION).digest }],
    random: new Random(seed),
    invoke: () => Promise.reject(new Error('the probe invokes no Lambda function')),
  });
  // CloudWatch sends every alarm state change to EventBridge (the probe's rule times their delivery).
  twin.cloudwatch.onStateChange = (change) => twin.eventbridge.publish(alarmStateEvent(change));
  installTransport((request) => twin.handle(request));
  try {
    let outcome: { result?: T; error?: unknown } | undefined;
    body(twin).then((result) => { outcome = { result }; }, (error) => { outcome = { error }; });
    // Drive the virtual clock until the probe is done (it waits with setTimeout between its polls).
    for (let idle = 0; ;) {
      await settle();
      if (outcome) break;
      if (clock.fireNext()) {
        idle = 0;
        continue;
      }
      // No timer yet: the SDK is still doing real work before its next request (loading its configuration once).
      if (++idle > 100_000) throw new Error('the probe waits for nothing: no timer is pending and it has not finished');
    }
    if (outcome.error) throw outcome.error;
    return outcome.result as T;
  } finally {
    uninstallTransport();
    clock.uninstall();
    Math.random = originalRandom;
    restoreEnv();
  }
}
