import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BlueGreenEndpoint, ModelData, ModelVersion, RolloutController } from '../../lib';
import { DIGEST, testApp } from './fixtures';

/**
 * Least privilege, derived from the code that runs: the AWS SDK commands each pre-bundled handler sends (jest's global
 * setup bundles the current sources) against the actions each function's role is granted. A handler calling an
 * action its role lacks fails here, and so does a role granting an action no handler calls.
 */
const BUNDLES = { Step: 'step', Deploy: 'deploy', GuardListener: 'guard-listener' } as const;

/** IAM service prefix of each SDK client package (Service Authorization Reference). */
const SERVICE_PREFIX: Record<string, string> = {
  'client-sagemaker': 'sagemaker', 'client-sagemaker-runtime': 'sagemaker', 'client-cloudwatch': 'cloudwatch', 'client-sfn': 'states',
  'client-eventbridge': 'events', 'client-sns': 'sns', 'client-ecr': 'ecr', 'client-s3': 's3', 'client-dynamodb': 'dynamodb',
  'client-service-quotas': 'servicequotas', 'client-application-auto-scaling': 'application-autoscaling', 'client-ssm': 'ssm',
  'client-lambda': 'lambda',
};
/** The DynamoDB document client's commands and the item actions they are authorized as. */
const DOCUMENT_CLIENT: Record<string, string[]> = {
  Get: ['GetItem'], Put: ['PutItem'], Update: ['UpdateItem'], Delete: ['DeleteItem'], Query: ['Query'], Scan: ['Scan'],
  BatchGet: ['BatchGetItem'], BatchWrite: ['BatchWriteItem'], TransactWrite: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
};
/**
 * Operations authorized under another action's name: S3 HeadObject needs s3:GetObject, ListObjectsV2 s3:ListBucket (S3
 * user guide, required permissions); Lambda's Invoke is lambda:InvokeFunction.
 */
const RENAMED: Record<string, string> = { 's3:HeadObject': 's3:GetObject', 's3:ListObjectsV2': 's3:ListBucket', 'lambda:Invoke': 'lambda:InvokeFunction' };
/** What CDK's KMS encrypt/decrypt and decrypt grants give. */
const KMS_ENCRYPT_DECRYPT = ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
/**
 * Actions a call needs beyond its own name, with why:
 * - CreateModel passes the execution role (iam:PassRole) and, from a Model Registry package, reads it (unverified);
 * - CreateEndpoint with Tags needs sagemaker:AddTags (SageMaker developer guide, "Tag on create" permissions);
 * - CreateEndpointConfig with KmsKeyId lets SageMaker create a grant on the key in the caller's name;
 * - DynamoDB on a table with a customer-managed key, and S3 reads of objects under a KMS key, use the key.
 */
const IMPLIED: Record<string, string[]> = {
  'sagemaker:CreateModel': ['iam:PassRole', 'sagemaker:DescribeModelPackage'],
  'sagemaker:CreateEndpoint': ['sagemaker:AddTags'],
  'sagemaker:CreateEndpointConfig': ['kms:CreateGrant', 'kms:DescribeKey'],
  'dynamodb:GetItem': KMS_ENCRYPT_DECRYPT,
  's3:GetObject': ['kms:Decrypt'],
  // The first SageMaker scalable target creates Application Auto Scaling's service-linked role in the caller's name;
  // DeleteEndpoint deregisters the endpoint's scalable targets only when the caller may (SageMaker developer guide,
  // "Delete endpoints configured for auto scaling").
  'application-autoscaling:RegisterScalableTarget': ['iam:CreateServiceLinkedRole'],
  'sagemaker:DeleteEndpoint': ['application-autoscaling:DeregisterScalableTarget'],
};

/** The IAM actions the SDK commands in a bundle need: `var=require("@aws-sdk/<package>")` then `var.<Op>Command`. */
function calledActions(bundle: string): Set<string> {
  const source = fs.readFileSync(path.join(__dirname, '..', '..', 'dist', 'bundles', bundle, 'index.js'), 'utf8');
  const actions = new Set<string>();
  for (const [, variable, pkg] of source.matchAll(/([A-Za-z_$][\w$]*)=(?:[A-Za-z_$][\w$]*\()?require\("@aws-sdk\/([a-z0-9-]+)"\)/g)) {
    const uses = new RegExp(`(?<![\\w$])${variable.replace(/\$/g, '\\$')}\\.([A-Z]\\w+)Command\\b`, 'g');
    for (const [, operation] of source.matchAll(uses)) {
      if (pkg === 'lib-dynamodb') {
        for (const item of DOCUMENT_CLIENT[operation] ?? [`unknown:${operation}`]) actions.add(`dynamodb:${item}`);
      } else {
        const action = `${SERVICE_PREFIX[pkg] ?? `unknown-${pkg}`}:${operation}`;
        actions.add(RENAMED[action] ?? action);
      }
    }
  }
  return actions;
}

function withImplied(called: Set<string>): Set<string> {
  return new Set([...called, ...[...called].flatMap((action) => IMPLIED[action] ?? [])]);
}

/** Every action granted to a controller function's role, in every policy attached to it. */
function grantedActions(template: Template, fn: string): Set<string> {
  const resources = template.toJSON().Resources as Record<string, any>;
  const role = Object.keys(resources).find((id) => resources[id].Type === 'AWS::IAM::Role' && id.startsWith(`SageMakerRolloutController${fn}ServiceRole`));
  const statements = Object.values(resources)
    .filter((r) => (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && JSON.stringify(r.Properties.Roles ?? []).includes(`"${role}"`))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
  return new Set(statements.flatMap((s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

/** A stack using every option that grants the controller something: keys, topic, S3 model data, ECR, a package and its registry group, a role. */
function everyGrant(): Template {
  const stack = new Stack(testApp(), 'Grants', { env: { account: '123456789012', region: 'us-east-1' } });
  const key = new kms.Key(stack, 'Key');
  RolloutController.of(stack, { encryptionKey: key, logsEncryptionKey: key });
  const bucket = new s3.Bucket(stack, 'Models', { encryptionKey: key });
  new BlueGreenEndpoint(stack, 'Image', {
    endpointName: 'fraud',
    modelVersion: ModelVersion.fromEcrImage(new ecr.Repository(stack, 'Repo'), {
      tagOrDigest: DIGEST,
      modelData: ModelData.fromBucket(bucket, 'fraud/model.tar.gz', { sha256: 'ab'.repeat(32) }),
    }),
    notificationTopic: new sns.Topic(stack, 'Topic'),
    encryptionKey: key,
  });
  new BlueGreenEndpoint(stack, 'Package', {
    endpointName: 'fraud-scoring',
    modelVersion: ModelVersion.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/3'),
    role: iam.Role.fromRoleName(stack, 'Own', 'own-model-role'),
    autoScaling: { minCapacity: 1, maxCapacity: 4, targetInvocationsPerInstance: 100 },
    rollbackHooks: [lambda.Function.fromFunctionArn(stack, 'InvalidateCache', 'arn:aws:lambda:us-east-1:123456789012:function:invalidate-cache')],
    modelPackageGroupName: 'fraud',
  });
  return Template.fromStack(stack);
}

describe('least privilege: each function\'s role grants what its bundle calls, and nothing else', () => {
  const template = everyGrant();

  test.each(Object.entries(BUNDLES))('%s', (fn, bundle) => {
    const called = calledActions(bundle);
    expect(called.size).toBeGreaterThan(3);
    expect([...called].filter((a) => a.includes('unknown'))).toEqual([]);
    const granted = grantedActions(template, fn);
    const missing = [...called].filter((action) => !granted.has(action));
    const unused = [...granted].filter((action) => !withImplied(called).has(action));
    expect({ missing, unused }).toEqual({ missing: [], unused: [] });
  });

  test('the derivation sees what the handlers call: the guard listener flips weights and never reads metrics', () => {
    const listener = calledActions('guard-listener');
    expect(listener).toContain('sagemaker:UpdateEndpointWeightsAndCapacities');
    expect(listener).not.toContain('cloudwatch:GetMetricData');
    expect(calledActions('step')).toContain('sagemaker:InvokeEndpoint');
    expect(calledActions('step')).toContain('lambda:InvokeFunction');
    expect(calledActions('deploy')).toContain('sagemaker:ListTags');
  });
});
