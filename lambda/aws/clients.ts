import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/*
 * Clients live at module scope so a warm Lambda reuses connections. Three attempts: the SDK absorbs short throttling
 * bursts itself; what remains surfaces as Throttled/EndpointBusy, which the state machine retries with longer backoff
 * than a Lambda invocation should spend waiting.
 */
const maxAttempts = 3;

export const sagemaker = new SageMakerClient({ maxAttempts });
/** One attempt per smoke payload: a failed invocation is evidence, not something to hide behind retries. */
export const sagemakerRuntime = new SageMakerRuntimeClient({ maxAttempts: 1 });
export const sfn = new SFNClient({ maxAttempts });
export const cloudwatch = new CloudWatchClient({ maxAttempts });
export const eventbridge = new EventBridgeClient({ maxAttempts });
export const sns = new SNSClient({ maxAttempts });
/** Model data may live in another region's bucket. */
export const s3 = new S3Client({ maxAttempts, followRegionRedirects: true });
export const ecr = new ECRClient({ maxAttempts });
/** The exposure plans of cohort rollouts (Parameter Store). */
export const ssm = new SSMClient({ maxAttempts });
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts }), {
  marshallOptions: { removeUndefinedValues: true },
});
