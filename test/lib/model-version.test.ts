import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ModelData, ModelVersion } from '../../lib';
import { DIGEST, testStack } from './fixtures';

function roles() {
  const stack = testStack();
  const modelRole = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  const verifier = new iam.Role(stack, 'Verifier', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { stack, modelRole, verifier };
}

function policyOf(stack: ReturnType<typeof testStack>, roleId: string): unknown[] {
  const template = Template.fromStack(stack);
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('ModelVersion', () => {
  test('fromEcrImage with model data in a bucket: image by digest, grants pull/read, verifier describe/head', () => {
    const { stack, modelRole, verifier } = roles();
    const repository = new ecr.Repository(stack, 'Repo');
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Models', { encryptionKey: key });
    const version = ModelVersion.fromEcrImage(repository, {
      tagOrDigest: DIGEST,
      modelData: ModelData.fromBucket(bucket, 'm/v1/model.tar.gz', { sha256: 'AB'.repeat(32) }),
      environment: { MODEL_SERVER_WORKERS: '2' },
    });
    const config = version.bind(stack, modelRole, { imagePinner: verifier, modelCreator: verifier });
    expect(stack.resolve(config.image)).toEqual({
      'Fn::Join': ['', [
        { 'Fn::Select': [4, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repo02AC86CF', 'Arn'] }] }] },
        '.dkr.ecr.',
        { 'Fn::Select': [3, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repo02AC86CF', 'Arn'] }] }] },
        '.',
        { Ref: 'AWS::URLSuffix' },
        '/',
        { Ref: 'Repo02AC86CF' },
        `@${DIGEST}`,
      ]],
    });
    expect(config.modelDataSha256).toBe('ab'.repeat(32));
    expect(config.environment).toEqual({ MODEL_SERVER_WORKERS: '2' });
    expect(stack.resolve(config.modelDataUrl)).toEqual({ 'Fn::Join': ['', ['s3://', stack.resolve(bucket.bucketName), '/m/v1/model.tar.gz']] });

    const modelStatements = JSON.stringify(policyOf(stack, 'ModelRole'));
    expect(modelStatements).toContain('ecr:BatchGetImage');
    expect(modelStatements).toContain('"s3:GetObject"');
    expect(modelStatements).toContain('kms:Decrypt');
    const verifierStatements = policyOf(stack, 'Verifier');
    expect(verifierStatements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'ecr:DescribeImages' }),
      expect.objectContaining({ Action: 's3:GetObject' }),
    ]));
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('referenced by a tag'));
  });

  test('a tag warns that pushing to the tag does not start a rollout', () => {
    const { stack, modelRole } = roles();
    ModelVersion.fromEcrImage(ecr.Repository.fromRepositoryName(stack, 'R', 'r')).bind(stack, modelRole);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp("the image 'latest' is referenced by a tag"));
  });

  test('fromImageUri with an ECR URI grants pull on that repository only', () => {
    const { stack, modelRole, verifier } = roles();
    const config = ModelVersion.fromImageUri(`111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/model@${DIGEST}`, {
      modelData: ModelData.fromS3Uri('s3://shared-models/fraud/'),
    }).bind(stack, modelRole, { imagePinner: verifier, modelCreator: verifier });
    expect(config.image).toBe(`111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/model@${DIGEST}`);
    const statements = policyOf(stack, 'ModelRole');
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111122223333:repository/team/model']] },
      }),
      // A prefix: every object under it, and listing limited to it.
      expect.objectContaining({
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::shared-models/fraud/*']] },
      }),
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['fraud/*'] } } }),
    ]));
  });

  test('crc64Nvme: the full-object CRC64NVME reaches the spec; the verifier may list exactly the key, the model role may not list', () => {
    const { stack, modelRole, verifier } = roles();
    const config = ModelVersion.fromImageUri(`111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/model@${DIGEST}`, {
      modelData: ModelData.fromS3Uri('s3://shared-models/fraud/v3/model.tar.gz', { crc64Nvme: 'rosUhgp5mIg=' }),
    }).bind(stack, modelRole, { modelCreator: verifier });
    expect(config).toMatchObject({ modelDataCrc64Nvme: 'rosUhgp5mIg=', modelDataSha256: undefined });
    expect(policyOf(stack, 'Verifier')).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::shared-models/fraud/v3/model.tar.gz']] } }),
      expect.objectContaining({
        Action: 's3:ListBucket',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::shared-models']] },
        Condition: { StringEquals: { 's3:prefix': 'fraud/v3/model.tar.gz' } },
      }),
    ]));
    expect(JSON.stringify(policyOf(stack, 'ModelRole'))).not.toContain('s3:ListBucket');
  });

  test('crc64Nvme is validated (base64 of 8 bytes, as S3 prints it) and refused on a prefix', () => {
    expect(() => ModelData.fromS3Uri('s3://bucket/k', { crc64Nvme: 'ae8b14860a799888' }))
      .toThrow(/model data crc64Nvme must be a base64 CRC64NVME as S3 reports it .* got 'ae8b14860a799888': read it with `aws s3api head-object/);
    expect(() => ModelData.fromS3Uri('s3://bucket/k', { crc64Nvme: 'rosUhgp5mIh=' })).toThrow(/got 'rosUhgp5mIh='/);
    expect(() => ModelData.fromS3Uri('s3://bucket/models/v3/', { crc64Nvme: 'rosUhgp5mIg=' }))
      .toThrow(/'models\/v3\/' is a prefix of uncompressed files, so it has no single checksum to verify: remove crc64Nvme/);
  });

  test('fromModelPackage lets the model creator describe the package', () => {
    const { stack, modelRole, verifier } = roles();
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/7';
    expect(ModelVersion.fromModelPackage(arn).bind(stack, modelRole, { modelCreator: verifier })).toEqual({ modelPackageArn: arn, environment: {} });
    expect(policyOf(stack, 'Verifier')).toEqual([expect.objectContaining({ Action: 'sagemaker:DescribeModelPackage', Resource: arn })]);
  });

  test('fails for an unversioned model package', () => {
    expect(() => ModelVersion.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud'))
      .toThrow(/versioned model package .* got 'arn:aws:sagemaker:us-east-1:123456789012:model-package\/fraud'/);
  });

  test('fails for a malformed image URI or tag', () => {
    expect(() => ModelVersion.fromImageUri('not an image')).toThrow(/image URI must look like .* got 'not an image'/);
    expect(() => ModelVersion.fromEcrImage(ecr.Repository.fromRepositoryName(testStack(), 'R', 'r'), { tagOrDigest: 'sha256:12' }))
      .toThrow(/got 'sha256:12'/);
  });

  test('fails for a bad sha256', () => {
    expect(() => ModelData.fromS3Uri('s3://bucket/k', { sha256: 'xyz' })).toThrow(/64 hexadecimal characters .* got 'xyz'/);
  });

  test('fails for a bad S3 URI or key', () => {
    expect(() => ModelData.fromS3Uri('b/k')).toThrow(/s3:\/\/<bucket>\/<key>, got 'b\/k'/);
    expect(() => ModelData.fromBucket(s3.Bucket.fromBucketName(testStack(), 'B', 'bucket'), '/abs')).toThrow(/got '\/abs'/);
  });

  test('fails for environment variables SageMaker rejects', () => {
    expect(() => ModelVersion.fromImageUri(`123456789012.dkr.ecr.us-east-1.amazonaws.com/model@${DIGEST}`, { environment: { 'BAD-NAME': '1' } })).toThrow(/got 'BAD-NAME'/);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`V${i}`, 'x']));
    expect(() => ModelVersion.fromModelPackage('arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1', { environment: many }))
      .toThrow(/at most 100 variables/);
  });
});

describe('model data prefixes', () => {
  test('fails for a checksum on a prefix of uncompressed files, which has no single object to verify', () => {
    expect(() => ModelData.fromS3Uri('s3://bucket/models/v3/', { sha256: 'ab'.repeat(32) }))
      .toThrow(/'models\/v3\/' is a prefix of uncompressed files, so it has no single checksum to verify: remove sha256/);
  });

  test('fails for an image outside Amazon ECR', () => {
    expect(() => ModelVersion.fromImageUri(`docker.io/library/model@sha256:${'ab'.repeat(32)}`)).toThrow(/must be in Amazon ECR/);
  });
});
