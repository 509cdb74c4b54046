import { Annotations, Aws, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './private/nag';
import {
  parseS3Uri,
  validateEnvironment,
  validateImageUri,
  validateModelPackageArn,
  validateCrc64Nvme,
  validateSha256,
  validateTagOrDigest,
} from './private/validation';

/** Options for model data. */
export interface ModelDataOptions {
  /**
   * Expected SHA-256 of the model data object, 64 hex characters. The controller verifies it against S3 before the
   * version serves any traffic, and it makes the version id change whenever the model data changes.
   *
   * @default - no checksum: the model data is not verified, and replacing the object under the same key does not
   * start a rollout
   */
  readonly sha256?: string;

  /**
   * Expected full-object CRC64NVME of the model data object, base64 as S3 reports it (`aws s3api head-object
   * --checksum-mode ENABLED` prints it as ChecksumCRC64NVME). S3 keeps it for multipart uploads, whose SHA-256 is only a
   * checksum of the parts', and adds it by default to uploads sent without a checksum, so it is the one to declare for
   * large artifacts. Verified like `sha256`, before every update that deploys the model data; it makes the version id
   * change whenever the model data changes.
   *
   * @default - no CRC64NVME checked
   */
  readonly crc64Nvme?: string;
}

/** What `ModelData.bind()` returns. */
export interface ModelDataConfig {
  /** S3 URI of model.tar.gz, or of a prefix ending in `/`. */
  readonly uri: string;
  /**
   * Expected SHA-256 (lower-case hex).
   *
   * @default - no checksum
   */
  readonly sha256?: string;
  /**
   * Expected full-object CRC64NVME (base64).
   *
   * @default - no CRC64NVME checked
   */
  readonly crc64Nvme?: string;
}

/**
 * Model artifacts in S3 (model.tar.gz, or a prefix of uncompressed files ending in `/`).
 */
export abstract class ModelData {
  /** Model data stored in a bucket you have in the app; read access is granted to the model's role. */
  public static fromBucket(bucket: s3.IBucket, key: string, options: ModelDataOptions = {}): ModelData {
    if (!Token.isUnresolved(key) && (key.length === 0 || key.startsWith('/'))) {
      throw new Error(`model data key must be a non-empty S3 key without a leading '/', got '${key}': e.g. 'models/v3/model.tar.gz'`);
    }
    return new BucketModelData(bucket, key, checksumsFor(key, options));
  }

  /**
   * Model data at an S3 URI `s3://<bucket>/<key>`. Read access is granted on that object (or prefix) to the model's
   * role; a KMS key protecting the bucket must allow the role to decrypt (use `fromBucket` to have it granted).
   */
  public static fromS3Uri(uri: string, options: ModelDataOptions = {}): ModelData {
    const parsed = parseS3Uri(uri, 'model data URI');
    return new UriModelData(uri, parsed, parsed ? checksumsFor(parsed.key, options) : normalized(options));
  }

  /**
   * Grants `modelRole` read access (SageMaker downloads the artifacts with it) and each of `verifiers` (the rollout
   * controller's functions) the read it needs to check the checksum, then returns the URI.
   */
  public abstract bind(scope: Construct, modelRole: iam.IGrantable, verifiers?: iam.IGrantable[]): ModelDataConfig;
}

/** A checksum belongs to one object: a prefix of uncompressed files has none to compare. */
function checksumsFor(key: string, options: ModelDataOptions): ModelDataOptions {
  for (const [name, value] of [['sha256', options.sha256], ['crc64Nvme', options.crc64Nvme]] as const) {
    if (value !== undefined && isPrefix(key)) {
      throw new Error(`model data '${key}' is a prefix of uncompressed files, so it has no single checksum to verify: `
        + `remove ${name}, or point at a model.tar.gz object`);
    }
  }
  return normalized(options);
}

function normalized(options: ModelDataOptions): ModelDataOptions {
  if (options.crc64Nvme !== undefined) validateCrc64Nvme(options.crc64Nvme, 'model data crc64Nvme');
  return { sha256: normalizedSha256(options.sha256), crc64Nvme: options.crc64Nvme };
}

function normalizedSha256(sha256: string | undefined): string | undefined {
  if (sha256 === undefined) return undefined;
  validateSha256(sha256, 'model data sha256');
  return Token.isUnresolved(sha256) ? sha256 : sha256.toLowerCase();
}

function isPrefix(key: string): boolean {
  return !Token.isUnresolved(key) && key.endsWith('/');
}

/** Object-level read statements on one object, or on every object under a prefix plus listing that prefix. */
function objectReadStatements(bucketArn: string, key: string, actions: string[]): iam.PolicyStatement[] {
  if (!isPrefix(key)) {
    return [new iam.PolicyStatement({ actions, resources: [`${bucketArn}/${key}`] })];
  }
  return [
    new iam.PolicyStatement({ actions, resources: [`${bucketArn}/${key}*`] }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${key}*`] } },
    }),
  ];
}

/** Grants object reads to `grantee` and acknowledges the prefix wildcard it implies. */
function grantObjectRead(grantee: iam.IGrantable, bucketArn: string, key: string): void {
  for (const statement of objectReadStatements(bucketArn, key, ['s3:GetObject'])) {
    grantee.grantPrincipal.addToPrincipalPolicy(statement);
  }
  if (isPrefix(key)) {
    acknowledgeWildcardResources(grantee, [`${bucketArn}/${key}*`],
      'the model data is a prefix of uncompressed files: every object under it is read, and listing is limited to the prefix');
  }
}

/**
 * Lets the verifiers list exactly the object's key (`s3:prefix` equals it), so a 403 from HeadObject can be told
 * apart: a missing object reads "not found", an unreadable one "not readable" (lambda/aws/artifacts.ts).
 */
function grantKeyListing(verifiers: iam.IGrantable[], bucketArn: string, key: string): void {
  if (isPrefix(key)) return;
  for (const verifier of verifiers) {
    verifier.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringEquals: { 's3:prefix': key } },
    }));
  }
}

class BucketModelData extends ModelData {
  constructor(private readonly bucket: s3.IBucket, private readonly key: string, private readonly checksums: ModelDataOptions) {
    super();
  }

  public bind(_scope: Construct, modelRole: iam.IGrantable, verifiers: iam.IGrantable[] = []): ModelDataConfig {
    for (const grantee of [modelRole, ...verifiers]) {
      grantObjectRead(grantee, this.bucket.bucketArn, this.key);
      this.bucket.encryptionKey?.grantDecrypt(grantee);
    }
    grantKeyListing(verifiers, this.bucket.bucketArn, this.key);
    return { uri: `s3://${this.bucket.bucketName}/${this.key}`, ...this.checksums };
  }
}

class UriModelData extends ModelData {
  constructor(
    private readonly uri: string,
    private readonly parsed: { bucket: string; key: string } | undefined,
    private readonly checksums: ModelDataOptions,
  ) {
    super();
  }

  public bind(scope: Construct, modelRole: iam.IGrantable, verifiers: iam.IGrantable[] = []): ModelDataConfig {
    if (this.parsed) {
      const bucketArn = `arn:${Aws.PARTITION}:s3:::${this.parsed.bucket}`;
      for (const grantee of [modelRole, ...verifiers]) {
        grantObjectRead(grantee, bucketArn, this.parsed.key);
      }
      grantKeyListing(verifiers, bucketArn, this.parsed.key);
    } else {
      Annotations.of(scope).addWarningV2('cdk-sagemaker-rollout:modelDataUriToken',
        'the model data URI is a token, so no S3 read access was granted: grant the model role and the rollout controller read access to it yourself');
    }
    return { uri: this.uri, ...this.checksums };
  }
}

/** Options common to every model version. */
export interface ModelVersionOptions {
  /**
   * Environment variables of the model container (at most 100; names match `[a-zA-Z_][a-zA-Z0-9_]*`; names and
   * values at most 1024 characters). They are part of the version: changing one starts a rollout.
   *
   * @default - no environment variables
   */
  readonly environment?: { [key: string]: string };
}

/** Options for a model version made of a container image. */
export interface ImageModelVersionOptions extends ModelVersionOptions {
  /**
   * The model artifacts the container loads.
   *
   * @default - none: the image carries the model
   */
  readonly modelData?: ModelData;
}

/** Options for a model version whose image is in an ECR repository. */
export interface EcrImageModelVersionOptions extends ImageModelVersionOptions {
  /**
   * Image tag, or digest `sha256:<64 hex>`. Prefer a digest: the version is identified by what CloudFormation
   * declares, so pushing a new image under the same tag does not start a rollout.
   *
   * @default 'latest'
   */
  readonly tagOrDigest?: string;
}

/** The rollout controller's functions that use a version's artifacts, each granted only what it calls. */
export interface ModelVersionVerifiers {
  /**
   * Pins an image tag to its digest (`ecr:DescribeImages`) when a deploy registers the version.
   *
   * @default - no image grant
   */
  readonly imagePinner?: iam.IGrantable;

  /**
   * Verifies the model data's checksum (S3 `HeadObject`) and creates the version's SageMaker Model (from a Model
   * Registry package: `sagemaker:DescribeModelPackage`).
   *
   * @default - no model data or package grant
   */
  readonly modelCreator?: iam.IGrantable;
}

/** What `ModelVersion.bind()` returns: the version part of the endpoint spec, without role and capacity. */
export interface ModelVersionConfig {
  /**
   * Container image URI.
   *
   * @default - none: a package-based version
   */
  readonly image?: string;
  /**
   * Versioned Model Registry package ARN.
   *
   * @default - none: an image-based version
   */
  readonly modelPackageArn?: string;
  /**
   * S3 URI of the model data.
   *
   * @default - none: the image carries the model
   */
  readonly modelDataUrl?: string;
  /**
   * Expected SHA-256 of the model data.
   *
   * @default - not verified
   */
  readonly modelDataSha256?: string;
  /**
   * Expected full-object CRC64NVME of the model data (base64).
   *
   * @default - not verified
   */
  readonly modelDataCrc64Nvme?: string;
  /** Container environment. */
  readonly environment: { [key: string]: string };
}

/**
 * What serves: a container image with optional model data, or a versioned Model Registry package, plus the container
 * environment. Changing any of it makes a new model version, and deploying a new version starts a rollout.
 */
export abstract class ModelVersion {
  /** An image from an ECR repository; the model role gets pull access and the controller may resolve the digest. */
  public static fromEcrImage(repository: ecr.IRepository, options: EcrImageModelVersionOptions = {}): ModelVersion {
    const tagOrDigest = options.tagOrDigest ?? 'latest';
    validateTagOrDigest(tagOrDigest, 'tagOrDigest');
    return new ImageModelVersion(repository.repositoryUriForTagOrDigest(tagOrDigest), options, repository, tagOrDigest);
  }

  /**
   * An image by URI. When the URI is an ECR URI known at synth time, the model role gets pull access to that
   * repository; for other registries grant access yourself.
   */
  public static fromImageUri(imageUri: string, options: ImageModelVersionOptions = {}): ModelVersion {
    validateImageUri(imageUri, 'image URI');
    return new ImageModelVersion(imageUri, options, undefined, undefined);
  }

  /**
   * A versioned package from the SageMaker Model Registry. SageMaker reads the package's image and model data with
   * the model role: grant it access to them (`BlueGreenEndpoint.role`) when they are not public to the account.
   */
  public static fromModelPackage(modelPackageArn: string, options: ModelVersionOptions = {}): ModelVersion {
    validateModelPackageArn(modelPackageArn, 'model package ARN');
    return new PackageModelVersion(modelPackageArn, options);
  }

  protected constructor(protected readonly environment: { [key: string]: string }) {
    validateEnvironment(environment, 'model environment');
  }

  /**
   * Grants `modelRole` what SageMaker needs to run the version and the controller's `verifiers` what each calls to pin
   * and verify the artifacts, and returns the version's part of the endpoint spec.
   */
  public abstract bind(scope: Construct, modelRole: iam.IGrantable, verifiers?: ModelVersionVerifiers): ModelVersionConfig;
}

const ECR_URI = /^([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+))?(?:@(sha256:[a-f0-9]{64}))?$/;

class ImageModelVersion extends ModelVersion {
  constructor(
    private readonly image: string,
    private readonly options: ImageModelVersionOptions,
    private readonly repository: ecr.IRepository | undefined,
    private readonly tagOrDigest: string | undefined,
  ) {
    super(options.environment ?? {});
  }

  public bind(scope: Construct, modelRole: iam.IGrantable, verifiers: ModelVersionVerifiers = {}): ModelVersionConfig {
    const repositoryArn = this.bindRepository(scope, modelRole);
    // The deploy provider pins a tag to its digest before the version is registered.
    if (repositoryArn && verifiers.imagePinner) {
      verifiers.imagePinner.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ecr:DescribeImages'],
        resources: [repositoryArn],
      }));
    }
    if (this.usesMutableTag()) {
      Annotations.of(scope).addWarningV2('cdk-sagemaker-rollout:mutableImageTag',
        `the image '${this.tagOrDigest ?? this.image}' is referenced by a tag: pushing a new image under the same tag does not start a rollout. `
        + 'Reference the image by digest (sha256:...) to make every image a new model version');
    }
    const data = this.options.modelData?.bind(scope, modelRole, verifiers.modelCreator ? [verifiers.modelCreator] : []);
    return {
      image: this.image,
      modelDataUrl: data?.uri,
      modelDataSha256: data?.sha256,
      modelDataCrc64Nvme: data?.crc64Nvme,
      environment: this.environment,
    };
  }

  private usesMutableTag(): boolean {
    if (this.tagOrDigest !== undefined) {
      return !Token.isUnresolved(this.tagOrDigest) && !this.tagOrDigest.startsWith('sha256:');
    }
    return !Token.isUnresolved(this.image) && !this.image.includes('@sha256:');
  }

  /** Grants pull access; returns the repository ARN when it is known. */
  private bindRepository(scope: Construct, modelRole: iam.IGrantable): string | undefined {
    if (this.repository) {
      this.repository.grantPull(modelRole);
      acknowledgeEcrToken(modelRole);
      return this.repository.repositoryArn;
    }
    const match = Token.isUnresolved(this.image) ? null : ECR_URI.exec(this.image);
    if (!match) {
      if (Token.isUnresolved(this.image)) {
        Annotations.of(scope).addWarningV2('cdk-sagemaker-rollout:imageUriToken',
          'the image URI is a token, so no ECR pull access was granted: grant the model role pull access to the image yourself');
      }
      return undefined;
    }
    const [, account, region, repositoryName] = match;
    const repositoryArn = `arn:${Aws.PARTITION}:ecr:${region}:${account}:repository/${repositoryName}`;
    modelRole.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: [repositoryArn],
    }));
    modelRole.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }));
    acknowledgeEcrToken(modelRole);
    return repositoryArn;
  }
}

function acknowledgeEcrToken(modelRole: iam.IGrantable): void {
  acknowledgeWildcardResources(modelRole, ['*'],
    'ecr:GetAuthorizationToken and cloudwatch:PutMetricData do not support resource-level permissions (PutMetricData is limited to '
    + 'SageMaker namespaces by a condition)');
}

class PackageModelVersion extends ModelVersion {
  constructor(private readonly modelPackageArn: string, options: ModelVersionOptions) {
    super(options.environment ?? {});
  }

  public bind(_scope: Construct, _modelRole: iam.IGrantable, verifiers: ModelVersionVerifiers = {}): ModelVersionConfig {
    // Unverified: that CreateModel from a package authorizes DescribeModelPackage on it in the caller's name (no handler
    // calls it itself); granted to the function that creates models only.
    verifiers.modelCreator?.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DescribeModelPackage'],
      resources: [this.modelPackageArn],
    }));
    return { modelPackageArn: this.modelPackageArn, environment: this.environment };
  }
}
