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
export const numberRecipe = (min: number, max: number): fc.Arbitrary<NumberRecipe> => fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min, max }) },
  { weight: 3, arbitrary: fc.constantFrom(...edgeNumbers) },
  { weight: 1, arbitrary: fc.double({ min: -10, max: 200, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(TOKEN) },
);
const edgeStrings = ['', ' ', 'a', 'my-endpoint', 'Model_1', 'UPPER', '-leading', 'trailing-', 'a--b', 'has space', 'ünïcödé', 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(300), '${Token[TOKEN.1]}', 'null', '../etc'];
export const stringRecipe = (good: string[]): fc.Arbitrary<StringRecipe> => fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...good) },
  { weight: 3, arbitrary: fc.constantFrom(...edgeStrings) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant(TOKEN) },
);
export const durationRecipe: fc.Arbitrary<DurationRecipe> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(1, 10, 30, 59, 60, 90, 180, 300, 600, 900, 1800, 3600, 14400, 86400).map((seconds) => ({ seconds })) },
  { weight: 2, arbitrary: fc.constantFrom(0, 0.5, 1.5, 7 * 86400, 400 * 86400).map((seconds) => ({ seconds })) },
  { weight: 1, arbitrary: fc.constantFrom(1, 500, 1500).map((millis) => ({ millis })) },
  { weight: 1, arbitrary: fc.constant(TOKEN) },
);
const opt = <T>(a: fc.Arbitrary<T>, freq = 2) => fc.option(a, { nil: undefined, freq });

export const strategyRecipe = fc.record({
  kind: fc.constantFrom('canary' as const, 'linear' as const, 'allAtOnce' as const, 'preset' as const),
  preset: fc.constantFrom('CANARY_5_BAKE_5MIN', 'CANARY_10_BAKE_10MIN', 'CANARY_1_5_25_50_BAKE_10MIN', 'LINEAR_25_BAKE_5MIN', 'LINEAR_10_BAKE_5MIN', 'ALL_AT_ONCE_BAKE_10MIN'),
  steps: fc.oneof(fc.constantFrom<NumberRecipe[]>([5], [10, 50], [1, 5, 25, 50], [], [50, 10], [5, 5], [0], [100], [5, 101]), fc.array(numberRecipe(1, 100), { maxLength: 5 })),
  stepPercent: numberRecipe(1, 100),
  bake: durationRecipe,
  checkInterval: opt(durationRecipe),
  minInvocations: opt(numberRecipe(0, 1000)),
  stepDeadline: opt(durationRecipe),
  finalBake: opt(durationRecipe),
});

const alarmOptions = {
  name: opt(stringRecipe(['errors', 'p99', 'my-guard'])),
  period: opt(durationRecipe),
  evaluationPeriods: opt(numberRecipe(1, 10)),
  datapointsToAlarm: opt(numberRecipe(1, 10)),
  treatMissingData: opt(fc.constantFrom('BREACHING', 'NOT_BREACHING', 'IGNORE', 'MISSING')),
  backstop: opt(fc.boolean()),
};
const judged = { marginPercent: opt(numberRecipe(0, 50)), minimumEffect: opt(numberRecipe(1, 10)) };

export const guardRecipe = fc.oneof(
  fc.record({ kind: fc.constant('errorRate' as const), ...alarmOptions, ...judged, thresholdPercent: opt(numberRecipe(0, 100)), alarmThresholdPercent: opt(numberRecipe(0, 100)), minInvocations: opt(numberRecipe(0, 1000)) }),
  fc.record({ kind: fc.constant('latency' as const), ...alarmOptions, ...judged, percentile: opt(numberRecipe(1, 100)), threshold: opt(durationRecipe), alarmThreshold: opt(durationRecipe), minInvocations: opt(numberRecipe(0, 1000)) }),
  fc.record({
    kind: fc.constant('customMetric' as const), ...alarmOptions, threshold: numberRecipe(0, 100),
    comparisonOperator: opt(fc.constantFrom('GREATER_THAN_THRESHOLD', 'LESS_THAN_THRESHOLD', 'GREATER_THAN_OR_EQUAL_TO_THRESHOLD')),
    namespace: opt(stringRecipe(['MyApp', 'Custom/Metrics'])), metricName: opt(stringRecipe(['Accuracy', 'Drift'])),
    dimensionsMap: opt(fc.dictionary(fc.constantFrom('Model', 'Slot', ''), fc.constantFrom('a', ''))), statistic: opt(stringRecipe(['Average', 'Sum', 'p99', 'tm90'])),
    sageMakerMetric: opt(fc.boolean()),
  }),
  fc.record({ kind: fc.constant('comparison' as const), ...alarmOptions, maxIncreasePercent: opt(numberRecipe(0, 100)), minInvocations: opt(numberRecipe(0, 1000)) }),
  fc.record({ kind: fc.constant('alarm' as const), name: opt(stringRecipe(['my-alarm', 'composite'])) }),
);

export const endpointRecipe = fc.record({
  modelVersion: fc.record({
    kind: fc.constantFrom('imageUri' as const, 'ecr' as const, 'package' as const),
    image: stringRecipe([`123456789012.dkr.ecr.us-east-1.amazonaws.com/m@sha256:${'ab'.repeat(32)}`, '123456789012.dkr.ecr.us-east-1.amazonaws.com/m:v1', 'public.ecr.aws/x/y:latest']),
    tagOrDigest: opt(stringRecipe(['v1', `sha256:${'cd'.repeat(32)}`, 'latest'])),
    packageArn: stringRecipe(['arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/3', 'arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud']),
    modelData: opt(fc.record({ uri: stringRecipe(['s3://my-bucket/model.tar.gz', 's3://b/k', 's3://Bad_Bucket/k', 's3://bucket/']), sha256: opt(stringRecipe(['ab'.repeat(32), 'abc'])), fromBucket: fc.boolean() })),
    environment: opt(fc.dictionary(fc.constantFrom('A', 'MODEL_WORKERS', '1BAD', 'x'.repeat(1100), ''), fc.constantFrom('1', '', 'x'.repeat(1100)), { maxKeys: 3 })),
  }),
  endpointName: opt(stringRecipe(['fraud', 'my-endpoint', 'Recommender2'])),
  role: opt(fc.constantFrom('imported' as const, 'created' as const)),
  instanceType: opt(stringRecipe(['ml.m5.large', 'ml.g5.12xlarge', 'm5.large', 'ml.t2.medium'])),
  instanceCount: opt(numberRecipe(1, 10)),
  serverlessMemorySize: opt(numberRecipe(1024, 6144), 6),
  serverlessMaxConcurrency: opt(numberRecipe(1, 200), 6),
  strategy: opt(strategyRecipe),
  guards: opt(fc.array(guardRecipe, { maxLength: 4 })),
  approval: opt(fc.record({ timeout: durationRecipe, onTimeout: opt(fc.constantFrom('ROLLBACK' as const, 'PROMOTE' as const)), beforeStepPercent: opt(numberRecipe(1, 100)) }), 3),
  notificationTopic: opt(fc.constant(true)),
  encryptionKey: opt(fc.constant(true), 4),
  dataCaptureBucket: opt(fc.constant(true), 4),
  dataCapturePrefix: opt(stringRecipe(['data-capture', 'a/b'])),
  dataCaptureSamplingPercent: opt(numberRecipe(0, 100)),
  fastMetrics: opt(fc.boolean()),
  falseRollbackPercent: opt(numberRecipe(0, 50)),
  advanceErrorPercent: opt(numberRecipe(0, 50)),
  revertWindow: opt(durationRecipe),
  concurrencyPolicy: opt(fc.constantFrom('SUPERSEDE' as const, 'REJECT' as const)),
  smokeTestPayloads: opt(fc.oneof(fc.array(stringRecipe(['{"features": [1, 2, 3]}', '[]']), { maxLength: 3 }), fc.constant(Array.from({ length: 30 }, () => 'x')), fc.constant(['x'.repeat(300_000)]))),
  smokeTestContentType: opt(stringRecipe(['application/json', 'text/csv'])),
  smokeTestExpectBodyContains: opt(stringRecipe(['score', '"ok"'])),
  rolloutAttempt: opt(numberRecipe(1, 5)),
  autoUndo: opt(fc.boolean()),
  undoModelData: opt(fc.array(stringRecipe(['s3://my-bucket/old.tar.gz', 's3://b/']), { maxLength: 2 })),
  waitForRollout: opt(fc.boolean()),
  removalPolicy: opt(fc.constantFrom('DESTROY' as const, 'RETAIN' as const, 'SNAPSHOT' as const, 'RETAIN_ON_UPDATE_OR_DELETE' as const)),
  tags: opt(fc.dictionary(fc.constantFrom('team', 'aws:reserved', '', 'x'.repeat(200)), fc.constantFrom('ml', '', 'x'.repeat(300)), { maxKeys: 3 })),
  provisionTimeout: opt(durationRecipe),
  volumeSize: opt(numberRecipe(1, 512)),
  modelDataDownloadTimeout: opt(durationRecipe),
  containerStartupHealthCheckTimeout: opt(durationRecipe),
  detailedObservability: opt(fc.boolean()),
  vpc: opt(fc.constantFrom('isolated' as const, 'imported-no-subnets' as const), 4),
  vpcSubnets: opt(fc.constantFrom('PRIVATE_ISOLATED' as const, 'PUBLIC' as const), 4),
  securityGroups: opt(fc.integer({ min: 0, max: 6 }), 4),
  enableNetworkIsolation: opt(fc.boolean()),
  drillSchedule: opt(fc.constantFrom('rate(7 days)', 'cron(0 3 ? * MON *)', 'rate(1 minute)', TOKEN), 4),
  scaleCandidateWithTraffic: opt(fc.boolean()),
  autoScaling: opt(fc.record({
    minCapacity: numberRecipe(1, 10), maxCapacity: numberRecipe(1, 20), targetInvocationsPerInstance: opt(numberRecipe(1, 10000)),
    customMetric: opt(fc.constant(true), 4), customMetricTarget: opt(numberRecipe(1, 100)), scaleInCooldown: opt(durationRecipe), scaleOutCooldown: opt(durationRecipe),
  }), 3),
  controller: opt(fc.record({
    encryptionKey: opt(fc.constant(true)),
    logRetention: opt(fc.constantFrom('ONE_DAY', 'ONE_YEAR', 'INFINITE')),
    tableRemovalPolicy: opt(fc.constantFrom('DESTROY' as const, 'RETAIN' as const, 'SNAPSHOT' as const)),
    stateMachineLogLevel: opt(fc.constantFrom('ALL', 'ERROR', 'OFF')),
    logExecutionData: opt(fc.boolean()),
    logsEncryptionKey: opt(fc.constant(true)),
    vpc: opt(fc.constant(true), 4),
    securityGroups: opt(fc.integer({ min: 0, max: 3 }), 4),
  }), 3),
});

export type EndpointRecipe = typeof endpointRecipe extends fc.Arbitrary<infer T> ? T : never;
