import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  Approval, ApprovalTimeoutAction, BlueGreenEndpoint, Guard, ModelData, ModelVersion, RolloutStrategy,
} from '../lib';

/** Digests and checksums of the example's artifacts (placeholders: replace them with your own). */
const RECOMMENDER_IMAGE_DIGEST = `sha256:${'1f'.repeat(32)}`;
const RECOMMENDER_MODEL_SHA256 = '3a'.repeat(32);
const FRAUD_IMAGE_DIGEST = `sha256:${'7c'.repeat(32)}`;
const FRAUD_MODEL_SHA256 = 'e4'.repeat(32);

/**
 * Two rollback-safe endpoints sharing one rollout controller: one with every default, one with a custom canary,
 * custom guards, a human approval before full traffic and notifications on an existing topic.
 */
export class SageMakerRolloutExampleStack extends Stack {
  public readonly recommender: BlueGreenEndpoint;
  public readonly fraud: BlueGreenEndpoint;

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
      ],
      approval: Approval.required({ timeout: Duration.hours(4), onTimeout: ApprovalTimeoutAction.ROLLBACK }),
      notificationTopic: onCall,
      smokeTestPayloads: ['{"amount": 12.5, "merchant": "m-1", "country": "DE"}'],
      smokeTestExpectBodyContains: 'score',
      revertWindow: Duration.hours(1),
    });
  }
}
