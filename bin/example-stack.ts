import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  Approval, ApprovalTimeoutAction, BlueGreenEndpoint, Exposure, Guard, ModelData, ModelVersion, ReleaseCalendar, RolloutStrategy,
} from '../lib';

/** Digests and checksums of the example's artifacts (placeholders: replace them with your own). */
const RECOMMENDER_IMAGE_DIGEST = `sha256:${'1f'.repeat(32)}`;
const RECOMMENDER_MODEL_SHA256 = '3a'.repeat(32);
const FRAUD_IMAGE_DIGEST = `sha256:${'7c'.repeat(32)}`;
const FRAUD_MODEL_SHA256 = 'e4'.repeat(32);
const SEARCH_IMAGE_DIGEST = `sha256:${'5d'.repeat(32)}`;
/** A large model uploaded in parts: S3 keeps its full-object CRC64NVME (base64 of 8 bytes). */
const SEARCH_MODEL_CRC64NVME = 'rosUhgp5mIg=';

/**
 * Three rollback-safe endpoints sharing one rollout controller: one with every default; one with a custom canary,
 * custom guards (a data-quality one among them), a human approval before full traffic and notifications on an existing
 * topic; one exposed by cohorts through the routing client, with a shadow phase first, an input guard and a release
 * calendar.
 */
export class SageMakerRolloutExampleStack extends Stack {
  public readonly recommender: BlueGreenEndpoint;
  public readonly fraud: BlueGreenEndpoint;
  public readonly search: BlueGreenEndpoint;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const models = s3.Bucket.fromBucketName(this, 'ModelArtifacts', 'example-model-artifacts');

    // Defaults: canary 10% then 100%, 10-minute bakes, error-rate and p99 latency guards, 30-minute revert window.
    this.recommender = new BlueGreenEndpoint(this, 'Recommender', {
      modelVersion: ModelVersion.fromEcrImage(ecr.Repository.fromRepositoryName(this, 'RecommenderImages', 'recommender'), {
        tagOrDigest: RECOMMENDER_IMAGE_DIGEST,
        modelData: ModelData.fromBucket(models, 'recommender/2026-06-01/model.tar.gz', { sha256: RECOMMENDER_MODEL_SHA256 }),
      }),
    });

    // An alarm the team already has can guard rollouts too: it watches whatever the candidate is.
    const chargebacks = cloudwatch.Alarm.fromAlarmName(this, 'ChargebackRate', 'fraud-chargeback-rate');
    const onCall = sns.Topic.fromTopicArn(this, 'OnCallTopic', `arn:${this.partition}:sns:${this.region}:${this.account}:ml-on-call`);
    this.fraud = new BlueGreenEndpoint(this, 'Fraud', {
      endpointName: 'fraud-scoring',
      modelVersion: ModelVersion.fromEcrImage(ecr.Repository.fromRepositoryName(this, 'FraudImages', 'fraud-scoring'), {
        tagOrDigest: FRAUD_IMAGE_DIGEST,
        modelData: ModelData.fromBucket(models, 'fraud/v42/model.tar.gz', { sha256: FRAUD_MODEL_SHA256 }),
        environment: { MODEL_SERVER_WORKERS: '2', SCORE_THRESHOLD: '0.83' },
      }),
      instanceType: 'ml.c6i.xlarge',
      instanceCount: 2,
      strategy: RolloutStrategy.canary({
        steps: [1, 5, 25, 50],
        bake: Duration.minutes(5),
        finalBake: Duration.minutes(15),
        minInvocations: 100,
        checkInterval: Duration.seconds(20),
      }),
      fastMetrics: true,
      guards: [
        Guard.errorRate({ thresholdPercent: 0.5, minInvocations: 20 }),
        Guard.latency({ percentile: 99, threshold: Duration.millis(300) }),
        Guard.comparison({ maxIncreasePercent: 0.5, minInvocations: 50 }),
        Guard.alarm(chargebacks, { name: 'chargeback-rate' }),
        // A data-quality rule the scoring service checks on each answer and publishes per variant (no shadow phase
        // here: the answers to shadow copies reach no caller to count them).
        Guard.dataQuality({
          badMetric: { namespace: 'Fraud/Quality', metricName: 'ScoresOutOfRange' },
          totalMetric: { namespace: 'Fraud/Quality', metricName: 'ScoresChecked' },
          description: 'scores out of range',
          thresholdPercent: 1,
        }),
      ],
      approval: Approval.required({ timeout: Duration.hours(4), onTimeout: ApprovalTimeoutAction.ROLLBACK }),
      notificationTopic: onCall,
      smokeTestPayloads: ['{"amount": 12.5, "merchant": "m-1", "country": "DE"}'],
      smokeTestExpectBodyContains: 'score',
      revertWindow: Duration.hours(1),
    });

    // Cohort exposure: callers route with `CohortRouter` (cdk-sagemaker-rollout/client), beta tenants first, and a
    // shadow phase judges the candidate on copies of half the entities' requests before any user sees it. Besides the
    // default error-rate and latency guards: 4xx answers to inputs failing the container's schema (SageMaker counts
    // them for copies too). Rollouts start on weekdays 09:00-16:00 in Berlin.
    this.search = new BlueGreenEndpoint(this, 'Search', {
      endpointName: 'search-ranking',
      modelVersion: ModelVersion.fromEcrImage(ecr.Repository.fromRepositoryName(this, 'SearchImages', 'search-ranking'), {
        tagOrDigest: SEARCH_IMAGE_DIGEST,
        modelData: ModelData.fromBucket(models, 'search/v7/model.tar.gz', { crc64Nvme: SEARCH_MODEL_CRC64NVME }),
      }),
      strategy: RolloutStrategy.canary({
        steps: [5, 25],
        bake: Duration.minutes(10),
        exposure: Exposure.cohorts({ trustedEntityIds: ['tenant-beta', 'staff'] }),
        shadow: { bake: Duration.minutes(15), mirrorPercent: 50 },
      }),
      guards: [
        Guard.errorRate(),
        Guard.latency(),
        Guard.inputValidity({ thresholdPercent: 0.5 }),
      ],
      releaseCalendar: ReleaseCalendar.window({ timeZone: 'Europe/Berlin', start: '09:00', end: '16:00' }),
      notificationTopic: onCall,
    });
  }
}
