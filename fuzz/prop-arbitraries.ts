import fc from 'fast-check';

/**
 * Recipes for arbitrary construct props: plain data (so fast-check prints and shrinks them), built into real props by
 * `prop-builder.ts` inside a fresh stack. Every prop of BlueGreenEndpoint, RolloutController, the strategies, guards,
 * approval and autoscaling is drawn from sensible values, edge values (0, negatives, fractions, NaN, Infinity, huge,
 * empty, too long, odd characters) and tokens (CloudFormation parameters, unknown until deploy).
 */

export type TokenKind = 'token';
export const TOKEN: TokenKind = 'token';

/** A number, or a token standing for one. */
export type NumberRecipe = number | TokenKind;
export type StringRecipe = string | TokenKind;
/** A Duration: seconds (fractions allowed), milliseconds, or a token. */
export type DurationRecipe = { seconds: number } | { millis: number } | TokenKind;

const edgeNumbers = [0, 1, -1, 0.5, 2, 3, 5, 10, 25, 49.9, 50, 99, 100, 101, 1000, 1e9, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
/** How often a value is drawn from the edge values rather than the sensible ones (0: never; 4: as often as not). */
let bad = 1;
const pick = <T>(good: fc.Arbitrary<T>, ...edges: Array<fc.Arbitrary<T>>): fc.Arbitrary<T> => bad === 0
  ? good
  : fc.oneof({ weight: 4, arbitrary: good }, ...edges.map((arbitrary) => ({ weight: bad, arbitrary })));
export const numberRecipe = (min: number, max: number): fc.Arbitrary<NumberRecipe> => pick<NumberRecipe>(
  fc.integer({ min, max }),
  fc.constantFrom(...edgeNumbers),
  fc.double({ min: -10, max: 200, noNaN: true }),
  fc.constant(TOKEN),
);
const edgeStrings = ['', ' ', 'a', 'my-endpoint', 'Model_1', 'UPPER', '-leading', 'trailing-', 'a--b', 'has space', 'ünïcödé', 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(300), '${Token[TOKEN.1]}', 'null', '../etc'];
export const stringRecipe = (good: string[]): fc.Arbitrary<StringRecipe> => pick<StringRecipe>(
  fc.constantFrom(...good),
  fc.constantFrom(...edgeStrings),
  fc.string({ maxLength: 40 }),
  fc.constant(TOKEN),
);
const durationRecipe = (good = [60, 90, 180, 300, 600, 900, 1800, 3600, 14400]): fc.Arbitrary<DurationRecipe> => pick<DurationRecipe>(
  fc.constantFrom(...good).map((seconds) => ({ seconds })),
  fc.constantFrom(0, 0.5, 1, 1.5, 10, 30, 59, 86400, 7 * 86400, 400 * 86400).map((seconds) => ({ seconds })),
  fc.constantFrom(1, 500, 1500).map((millis) => ({ millis })),
  fc.constant(TOKEN),
);
const opt = <T>(a: fc.Arbitrary<T>, freq = 2) => fc.option(a, { nil: undefined, freq });

/** The recipes, with edge values drawn at weight `badWeight` against 4 for sensible ones. */
function recipes(badWeight: number) {
bad = badWeight;

const strategyRecipe = fc.record({
  kind: fc.constantFrom('canary' as const, 'linear' as const, 'allAtOnce' as const, 'preset' as const),
  preset: fc.constantFrom('CANARY_5_BAKE_5MIN', 'CANARY_10_BAKE_10MIN', 'CANARY_1_5_25_50_BAKE_10MIN', 'LINEAR_25_BAKE_5MIN', 'LINEAR_10_BAKE_5MIN', 'ALL_AT_ONCE_BAKE_10MIN'),
  steps: pick(fc.constantFrom<NumberRecipe[]>([5], [10, 50], [1, 5, 25, 50], [100]), fc.constantFrom<NumberRecipe[]>([], [50, 10], [5, 5], [0], [5, 101]), fc.array(numberRecipe(1, 100), { maxLength: 5 })),
  stepPercent: numberRecipe(1, 100),
  bake: durationRecipe([180, 300, 600]),
  checkInterval: opt(durationRecipe([10, 30, 60])),
  minInvocations: opt(numberRecipe(0, 1000)),
  stepDeadline: opt(durationRecipe([900, 1800, 3600])),
  finalBake: opt(durationRecipe([300, 600])),
});

const alarmOptions = {
  name: opt(stringRecipe(['errors', 'p99', 'my-guard'])),
  period: opt(durationRecipe([60])),
  evaluationPeriods: opt(numberRecipe(3, 3)),
  datapointsToAlarm: opt(numberRecipe(1, 3)),
  treatMissingData: opt(fc.constantFrom('BREACHING', 'NOT_BREACHING', 'IGNORE', 'MISSING')),
  backstop: opt(fc.boolean()),
};
const judged = { marginPercent: opt(numberRecipe(0, 50)), minimumEffect: opt(numberRecipe(1, 10)) };

const guardRecipe = fc.oneof(
  fc.record({ kind: fc.constant('errorRate' as const), ...alarmOptions, ...judged, thresholdPercent: opt(numberRecipe(0, 100)), alarmThresholdPercent: opt(numberRecipe(0, 100)), minInvocations: opt(numberRecipe(0, 1000)) }),
  fc.record({ kind: fc.constant('latency' as const), ...alarmOptions, ...judged, percentile: opt(numberRecipe(50, 99)), threshold: opt(durationRecipe([1, 2])), alarmThreshold: opt(durationRecipe([5, 10])), minInvocations: opt(numberRecipe(0, 1000)) }),
  fc.record({
    kind: fc.constant('customMetric' as const), ...alarmOptions, threshold: numberRecipe(0, 100),
    comparisonOperator: opt(fc.constantFrom('GREATER_THAN_THRESHOLD', 'LESS_THAN_THRESHOLD', 'GREATER_THAN_OR_EQUAL_TO_THRESHOLD')),
    namespace: opt(stringRecipe(['MyApp', 'Custom/Metrics'])), metricName: opt(stringRecipe(['Accuracy', 'Drift'])),
    dimensionsMap: opt(fc.dictionary(fc.constantFrom('Model', 'Slot', ''), fc.constantFrom('a', ''))), statistic: opt(stringRecipe(['Average', 'Sum', 'p99', 'tm90'])),
    sageMakerMetric: opt(fc.boolean()),
  }),
  fc.record({ kind: fc.constant('comparison' as const), ...alarmOptions, maxIncreasePercent: opt(numberRecipe(0, 100)), minInvocations: opt(numberRecipe(0, 1000)) }),
  fc.record({
    kind: fc.constant('inputValidity' as const), ...alarmOptions, ...judged, thresholdPercent: opt(numberRecipe(0, 100)), alarmThresholdPercent: opt(numberRecipe(0, 100)),
    minCount: opt(numberRecipe(0, 1000)), rejectedMetric: opt(fc.boolean()), requestsMetric: opt(fc.boolean()),
  }),
  fc.record({
    kind: fc.constant('dataQuality' as const), ...alarmOptions, ...judged, thresholdPercent: opt(numberRecipe(0, 100)), alarmThresholdPercent: opt(numberRecipe(0, 100)),
    minCount: opt(numberRecipe(0, 1000)), namespace: stringRecipe(['MyApp/Quality', 'AWS/SageMaker']),
    dimensionsMap: opt(fc.dictionary(fc.constantFrom('Variant', 'Service', ''), fc.constantFrom('{slot}', 'a', ''))), description: opt(stringRecipe(['rows out of range', ''])),
  }),
  fc.record({ kind: fc.constant('alarm' as const), name: opt(stringRecipe(['my-alarm', 'composite'])) }),
).map((g) => (g.kind !== 'customMetric' || bad > 0 ? g : { ...g, namespace: g.namespace ?? 'MyApp', metricName: g.metricName ?? 'Accuracy' }));

return fc.record({
  modelVersion: fc.record({
    kind: fc.constantFrom('imageUri' as const, 'ecr' as const, 'package' as const),
    image: stringRecipe([`123456789012.dkr.ecr.us-east-1.amazonaws.com/m@sha256:${'ab'.repeat(32)}`, '123456789012.dkr.ecr.us-east-1.amazonaws.com/m:v1']),
    tagOrDigest: opt(stringRecipe(['v1', `sha256:${'cd'.repeat(32)}`, 'latest'])),
    packageArn: stringRecipe(['arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/3']),
    modelData: opt(fc.oneof(
      fc.record({ uri: stringRecipe(['s3://my-bucket/model.tar.gz']), sha256: opt(stringRecipe(['ab'.repeat(32)])), fromBucket: fc.boolean() }),
      fc.record({ uri: stringRecipe(['s3://my-bucket/models/v2/']), fromBucket: fc.boolean() }).map((m) => ({ ...m, sha256: undefined })),
    )),
    environment: opt(fc.dictionary(pick(fc.constantFrom('A', 'MODEL_WORKERS'), fc.constantFrom('1BAD', 'x'.repeat(1100), '')), pick(fc.constantFrom('1', ''), fc.constant('x'.repeat(1100))), { maxKeys: 3 })),
  }),
  endpointName: opt(stringRecipe(['fraud', 'my-endpoint', 'Recommender2'])),
  role: opt(fc.constantFrom('imported' as const, 'created' as const)),
  instanceType: opt(stringRecipe(['ml.m5.large', 'ml.g5.12xlarge', 'ml.c5.xlarge'])),
  instanceCount: opt(numberRecipe(1, 10)),
  serverlessMemorySize: badWeight === 0 ? fc.constant(undefined) : opt(numberRecipe(1024, 6144), 12),
  serverlessMaxConcurrency: badWeight === 0 ? fc.constant(undefined) : opt(numberRecipe(1, 200), 12),
  strategy: opt(strategyRecipe),
  guards: opt(fc.array(guardRecipe, { minLength: badWeight === 0 ? 1 : 0, maxLength: 4 })),
  approval: opt(fc.record({ timeout: durationRecipe(), onTimeout: opt(fc.constantFrom('ROLLBACK' as const, 'PROMOTE' as const)), beforeStepPercent: opt(numberRecipe(1, 100)) }), 3),
  notificationTopic: opt(fc.constant(true)),
  encryptionKey: opt(fc.constant(true), 4),
  dataCaptureBucket: opt(fc.constant(true), 4),
  dataCapturePrefix: opt(stringRecipe(['data-capture', 'a/b'])),
  dataCaptureSamplingPercent: opt(numberRecipe(1, 100)),
  fastMetrics: opt(fc.boolean()),
  falseRollbackPercent: opt(numberRecipe(1, 49)),
  advanceErrorPercent: opt(numberRecipe(1, 49)),
  revertWindow: opt(durationRecipe()),
  concurrencyPolicy: opt(fc.constantFrom('SUPERSEDE' as const, 'REJECT' as const)),
  smokeTestPayloads: opt(pick(fc.array(stringRecipe(['{"features": [1, 2, 3]}', '[]']), { maxLength: 3 }), fc.constant<string[]>(Array.from({ length: 30 }, () => 'x')), fc.constant<string[]>(['x'.repeat(300_000)]))),
  smokeTestContentType: opt(stringRecipe(['application/json', 'text/csv'])),
  smokeTestExpectBodyContains: opt(stringRecipe(['score', '"ok"'])),
  rolloutAttempt: opt(numberRecipe(1, 5)),
  autoUndo: opt(fc.boolean()),
  undoModelData: opt(fc.array(stringRecipe(['s3://my-bucket/old.tar.gz', 's3://my-bucket/old/']), { maxLength: 2 })),
  waitForRollout: opt(fc.boolean()),
  removalPolicy: opt(fc.constantFrom('DESTROY' as const, 'RETAIN' as const, 'SNAPSHOT' as const, 'RETAIN_ON_UPDATE_OR_DELETE' as const)),
  tags: opt(fc.dictionary(pick(fc.constantFrom('team', 'cost-center'), fc.constantFrom('aws:reserved', '', 'x'.repeat(200))), pick(fc.constantFrom('ml', ''), fc.constant('x'.repeat(300))), { maxKeys: 3 })),
  provisionTimeout: opt(durationRecipe([900, 1800, 3600])),
  volumeSize: opt(numberRecipe(1, 512)),
  modelDataDownloadTimeout: opt(durationRecipe([60, 600, 1800, 3600])),
  containerStartupHealthCheckTimeout: opt(durationRecipe([60, 600, 1800, 3600])),
  detailedObservability: opt(fc.boolean()),
  vpc: opt(fc.constantFrom('isolated' as const, 'imported-no-subnets' as const), 4),
  vpcSubnets: opt(fc.constantFrom('PRIVATE_ISOLATED' as const, 'PUBLIC' as const), 4),
  securityGroups: opt(pick(fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, 6)), 4),
  enableNetworkIsolation: opt(fc.boolean()),
  drillSchedule: opt(pick<string>(fc.constantFrom('rate(7 days)', 'cron(0 3 ? * MON *)'), fc.constantFrom('rate(1 minute)', 'every day'), fc.constant(TOKEN)), 4),
  scaleCandidateWithTraffic: opt(fc.boolean()),
  autoScaling: opt(fc.record({
    minCapacity: numberRecipe(1, 10), maxCapacity: numberRecipe(1, 20), targetInvocationsPerInstance: opt(numberRecipe(1, 10000)),
    customMetric: opt(fc.constant(true), 4), customMetricTarget: opt(numberRecipe(1, 100)), scaleInCooldown: opt(durationRecipe()), scaleOutCooldown: opt(durationRecipe()),
  }), 3),
  controller: opt(fc.record({
    encryptionKey: opt(fc.constant(true)),
    logRetention: opt(fc.constantFrom('ONE_DAY', 'ONE_YEAR', 'INFINITE')),
    tableRemovalPolicy: opt(fc.constantFrom('DESTROY' as const, 'RETAIN' as const, 'SNAPSHOT' as const)),
    stateMachineLogLevel: opt(fc.constantFrom('ALL', 'ERROR', 'OFF')),
    logExecutionData: opt(fc.boolean()),
    logsEncryptionKey: opt(fc.constant(true)),
    vpc: opt(fc.constant(true), 4),
    securityGroups: opt(pick(fc.integer({ min: 1, max: 3 }), fc.constant(0)), 4),
  }).map((c) => (badWeight === 0 && !c.vpc ? { ...c, securityGroups: undefined } : c)), 3),
}).map((r) => (badWeight > 0 ? r : {
  // Sensible values only: with the props each one needs (the constructs refuse them alone, with a clear error).
  ...r,
  notificationTopic: r.approval ? true as const : r.notificationTopic,
  smokeTestPayloads: r.smokeTestContentType || r.smokeTestExpectBodyContains ? ['{"features": [1, 2, 3]}'] : r.smokeTestPayloads,
  securityGroups: r.vpc ? r.securityGroups : undefined,
  vpcSubnets: r.vpc === 'isolated' ? r.vpcSubnets : undefined,
  approval: r.approval && (r.strategy?.kind === 'allAtOnce' || r.strategy?.preset === 'ALL_AT_ONCE_BAKE_10MIN') ? undefined : r.approval && { ...r.approval, beforeStepPercent: undefined },
  dataCaptureBucket: r.dataCapturePrefix !== undefined || r.dataCaptureSamplingPercent !== undefined ? true as const : r.dataCaptureBucket,
  instanceCount: r.autoScaling ? undefined : r.instanceCount,
  autoScaling: r.autoScaling && { ...r.autoScaling, maxCapacity: Math.max(Number(r.autoScaling.minCapacity), Number(r.autoScaling.maxCapacity)) },
}));

}

/** A prop set: three in five with sensible values only, one with some edge values and tokens, one with many. */
export const endpointRecipe = fc.oneof({ weight: 3, arbitrary: recipes(0) }, { weight: 1, arbitrary: recipes(1) }, { weight: 1, arbitrary: recipes(4) });

export type EndpointRecipe = typeof endpointRecipe extends fc.Arbitrary<infer T> ? T : never;
