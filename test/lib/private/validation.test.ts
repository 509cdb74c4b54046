import { Duration, Lazy, Token } from 'aws-cdk-lib';
import {
  parseS3Uri, validateEnvironment, validateImageUri, validateInstanceType, validateModelPackageArn, validateSageMakerName,
  validateSha256, validateSteps, validateTagOrDigest, wholeSeconds,
} from '../../../lib/private/validation';

const token = Lazy.string({ produce: () => 'x' });

describe('token-safe validators', () => {
  test('skip tokens', () => {
    expect(() => validateSageMakerName(token, 'endpointName')).not.toThrow();
    expect(() => validateSha256(token, 'sha256')).not.toThrow();
    expect(() => validateImageUri(token, 'image')).not.toThrow();
    expect(() => validateModelPackageArn(token, 'arn')).not.toThrow();
    expect(() => validateInstanceType(token)).not.toThrow();
    expect(() => validateTagOrDigest(token, 'tag')).not.toThrow();
    expect(parseS3Uri(token, 'uri')).toBeUndefined();
    expect(wholeSeconds(Duration.seconds(Token.asNumber(Lazy.number({ produce: () => 5 }))), 'bake')).toBeUndefined();
  });

  test('SageMaker names', () => {
    expect(() => validateSageMakerName('my-endpoint-1', 'endpointName')).not.toThrow();
    expect(() => validateSageMakerName('a'.repeat(63), 'endpointName')).not.toThrow();
  });

  test.each([
    ['a'.repeat(64), /at most 63 characters, got 'a{64}' \(64\)/],
    ['-leading', /must match/],
    ['trailing-', /must match/],
    ['under_score', /must match .* got 'under_score'/],
    ['', /must match/],
  ])('fails for the endpoint name %s', (name, message) => {
    expect(() => validateSageMakerName(name, 'endpointName')).toThrow(message);
  });

  test('sha256', () => {
    expect(() => validateSha256('A'.repeat(64), 'sha256')).not.toThrow();
    expect(() => validateSha256('a'.repeat(63), 'sha256')).toThrow(/64 hexadecimal characters/);
    expect(() => validateSha256('g'.repeat(64), 'sha256')).toThrow(/got 'g{64}'/);
  });

  test('image URIs', () => {
    for (const ok of [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model:1.2.3',
      `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/my_model@sha256:${'a'.repeat(64)}`,
      '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.1-cpu',
    ]) {
      expect(() => validateImageUri(ok, 'image')).not.toThrow();
    }
    // SageMaker pulls from ECR; other registries need VPC image access, which the library does not configure.
    expect(() => validateImageUri('registry.example.com:5000/org/model', 'image')).toThrow(/must be in Amazon ECR .* got 'registry.example.com:5000\/org\/model'/);
    for (const bad of ['my model:latest', 'nohost', `repo/x@sha256:${'a'.repeat(10)}`, `host/${'a'.repeat(260)}`]) {
      expect(() => validateImageUri(bad, 'image')).toThrow(/must look like/);
    }
  });

  test('tags and digests', () => {
    expect(() => validateTagOrDigest('v1.2_3-rc', 'tag')).not.toThrow();
    expect(() => validateTagOrDigest(`sha256:${'0'.repeat(64)}`, 'tag')).not.toThrow();
    expect(() => validateTagOrDigest('sha256:abc', 'tag')).toThrow(/got 'sha256:abc'/);
    expect(() => validateTagOrDigest('.hidden', 'tag')).toThrow(/image tag/);
  });

  test('versioned model package ARNs', () => {
    expect(() => validateModelPackageArn('arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud-models/3', 'arn')).not.toThrow();
    expect(() => validateModelPackageArn('arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud-models', 'arn'))
      .toThrow(/versioned model package/);
    expect(() => validateModelPackageArn('arn:aws:sagemaker:us-east-1:123456789012:model-package-group/fraud-models', 'arn'))
      .toThrow(/got 'arn:aws:sagemaker:us-east-1:123456789012:model-package-group\/fraud-models'/);
  });

  test('S3 URIs', () => {
    expect(parseS3Uri('s3://my-bucket/models/v1/model.tar.gz', 'uri')).toEqual({ bucket: 'my-bucket', key: 'models/v1/model.tar.gz' });
    expect(() => parseS3Uri('https://my-bucket.s3.amazonaws.com/model.tar.gz', 'uri')).toThrow(/s3:\/\/<bucket>\/<key>/);
    expect(() => parseS3Uri('s3://my-bucket/', 'uri')).toThrow(/got 's3:\/\/my-bucket\/'/);
  });

  test('environment limits', () => {
    expect(() => validateEnvironment({ MODEL_NAME: 'x', _private: 'y' }, 'env')).not.toThrow();
    expect(() => validateEnvironment({ [token]: 'x' }, 'env')).not.toThrow();
    expect(() => validateEnvironment({ '1BAD': 'x' }, 'env')).toThrow(/got '1BAD'/);
    expect(() => validateEnvironment({ 'WITH-DASH': 'x' }, 'env')).toThrow(/rename the variable/);
    expect(() => validateEnvironment({ BIG: 'x'.repeat(1025) }, 'env')).toThrow(/value of 'BIG' must be at most 1024 characters .* got 1025/);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`V${i}`, 'x']));
    expect(() => validateEnvironment(many, 'env')).toThrow(/at most 100 variables .* got 101/);
  });

  test('instance types', () => {
    for (const ok of ['ml.m5.large', 'ml.g5.12xlarge', 'ml.inf2.xlarge', 'ml.p4d.24xlarge']) {
      expect(() => validateInstanceType(ok)).not.toThrow();
    }
    for (const bad of ['m5.large', 'ml.m5', 'ML.M5.LARGE', 'ml.m5.large ']) {
      expect(() => validateInstanceType(bad)).toThrow(/'ml.<family>.<size>'/);
    }
  });

  test('steps must be literal', () => {
    expect(() => validateSteps([Token.asNumber(Lazy.number({ produce: () => 5 }))], 'steps')).toThrow(/known at synth time/);
  });
});
