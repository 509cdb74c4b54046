import { checkMetricsConfig, checkNetworkIsolation, checkVariantOptions, checkVpcConfig } from './sagemaker-options';
import { modelDataDownloadFailure } from './model-data-download';
import { PageLimits, pageOf } from './pages';
import { ServiceError, epochSeconds } from './wire';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const IN_PROGRESS = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'];
/**
 * ListModels, ListEndpointConfigs, ListEndpoints: "MaxResults ... Valid Range: Minimum value of 1. Maximum value of 100"
 * with NextToken "if the response is truncated" (SageMaker API reference, e.g.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListEndpointConfigs.html). The page size when MaxResults
 * is omitted is not documented (unverified: not measured, the probe's one model, two configs and one endpoint are far
 * fewer than a page, and it does not count the account's own); the twin uses 10, so a caller that reads one page
 * misses what a real account with more than a page would hold. A token SageMaker did not issue: the error name is
 * unverified (the probe reports what SageMaker answers: its `invalidPageToken` fact).
 */
const LIST_PAGE: PageLimits = { defaultSize: 10, maxSize: 100, invalidToken: 'ValidationException' };
/**
 * ListTags: "MaxResults ... Valid Range: Minimum value of 50" (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListTags.html);
 * no maximum or default is documented (the twin: 50, and at most 100 asked). A resource holds at most 50 user tags
 * ("Tagging AWS resources" user guide, tag limits), so one page of 50 or more holds them all.
 */
const LIST_TAGS_PAGE: PageLimits = { defaultSize: 50, minSize: 50, maxSize: 100, invalidToken: 'ValidationException' };

/** How long SageMaker takes, and what goes wrong: set by the scenario. */
export interface SageMakerBehaviour {
  createSeconds: number;
  updateSeconds: number;
  weightsSeconds: number;
  deleteSeconds: number;
  /** The next UpdateEndpoint ends InService on the OLD config: with a FailureReason, or silently without one. */
  failNextUpdate?: 'reported' | 'silent';
  /**
   * The next CreateEndpoint ends Failed with a FailureReason (EndpointStatus `Failed`: DescribeEndpoint API reference;
   * the ping health-check wording is unverified: not measured, the probe does not make its endpoint fail).
   */
  failNextCreate?: boolean;
  /** Control-plane calls answered with ThrottlingException while this returns true. */
  throttled?: (operation: string) => boolean;
  /**
   * For this long after UpdateEndpointWeightsAndCapacities, DescribeEndpoint still reports the weights from before it.
   * AWS states no read-after-write consistency for DescribeEndpoint (the probe measures it: `describeLagSeconds`); the default is
   * the calibration's `describeLagSeconds`.
   */
  describeLagSeconds?: number;
  /**
   * Instances of one instance type the account may run for endpoints (Service Quotas: "<type> for endpoint usage").
   * A create or update whose new fleet would exceed it is refused with ResourceLimitExceeded. Unlimited when undefined.
   */
  instanceQuota?: number;
  /** Instances the account's other endpoints run now, counted against `instanceQuota` beside this twin's own. */
  instancesElsewhere?: () => number;
  /** Variants of an endpoint registered with Application Auto Scaling (the twin's, wired by ServiceTwin). */
  scalableVariants?: (endpointName: string) => string[];
  /** An endpoint was deleted (Application Auto Scaling deregisters its variants). */
  endpointDeleted?: (endpointName: string) => void;
}

/** A variant's model data downloaded onto a new fleet (every CreateEndpoint and UpdateEndpoint brings one up). */
export interface ModelDownload {
  at: number; endpointName: string; variantName: string; modelName: string;
  /** The model's ModelDataUrl, and whether the object there had been replaced since the scenario began. */
  modelDataUrl?: string; tampered?: boolean;
}

interface Variant {
  VariantName: string;
  ModelName: string;
  InstanceType?: string;
  InitialInstanceCount?: number;
  InitialVariantWeight?: number;
  ServerlessConfig?: unknown;
}

/**
 * The image a variant's instances run: "SpecifiedImage: The image path you specified when you created the model",
 * "ResolvedImage: The specific digest path of the image hosted in this ProductionVariant", "ResolutionTime: The date and
 * time when the image path for the model resolved to the ResolvedImage" (DeployedImage, SageMaker API reference,
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DeployedImage.html). Resolved when a fleet is brought up
 * (every CreateEndpoint and UpdateEndpoint deploys a new fleet, API_UpdateEndpoint), so an unchanged variant of an
 * update gets a new ResolutionTime, and an image given by tag is resolved to what the tag points at then.
 */
interface DeployedImage { specified: string; resolved: string; at: number }

interface LiveVariant {
  name: string;
  modelName: string;
  image?: DeployedImage;
  instanceType?: string;
  currentWeight: number;
  desiredWeight: number;
  currentInstanceCount: number;
  desiredInstanceCount: number;
}

interface Endpoint {
  name: string;
  arn: string;
  status: string;
  configName: string;
  variants: LiveVariant[];
  failureReason?: string;
  createdAt: number;
  modifiedAt: number;
  tags: Map<string, string>;
  /** The new fleet CreateEndpoint or UpdateEndpoint is bringing up (its instances run beside the old fleet's). */
  incoming?: LiveVariant[];
  /** What a lagging DescribeEndpoint answers until `until` (see describeLagSeconds). */
  stale?: { until: number; view: Record<string, unknown> };
}

/** The live state of one variant as traffic sees it. */
export interface ServingVariant { name: string; modelName: string; weight: number }

/**
 * SageMaker's control plane for real-time endpoints, as the controller meets it: asynchronous status changes,
 * one mutation at a time ("Cannot update in-progress endpoint"), RetainAllVariantProperties, silent reverts.
 */
export class SageMakerTwin {
  readonly models = new Map<string, Record<string, unknown>>();
  readonly configs = new Map<string, { name: string; variants: Variant[]; raw: Record<string, unknown>; createdAt: number }>();
  readonly endpoints = new Map<string, Endpoint>();
  /** Every model data download onto a new fleet. */
  readonly downloads: ModelDownload[] = [];
  /** The account's running instances (all types) each time the number changes. */
  readonly instanceLog: Array<{ at: number; instances: number }> = [];
  /** Every CreateModel and CreateEndpointConfig request accepted, in order (models and configs may be deleted since). */
  readonly createRequests: Array<{ operation: 'CreateModel' | 'CreateEndpointConfig'; input: Record<string, any> }> = [];
  /**
   * Per endpoint, the interval at which its invocation metrics are published, from the moment each fleet came InService:
   * MetricsConfig "MetricPublishFrequencyInSeconds: The interval, in seconds, at which metrics are published to Amazon
   * CloudWatch. Defaults to 60 ... When EnableEnhancedMetrics is set to False, this interval applies to utilization
   * metrics only; invocation metrics continue to be published at the default 60-second interval. When
   * EnableEnhancedMetrics is set to True, this interval applies to both utilization and invocation metrics"
   * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MetricsConfig.html). Kept after a delete: the data stays.
   */
  private readonly publishing = new Map<string, Array<{ from: number; seconds: number }>>();
  /** Why the next fleet of the operation being served fails (set around one request by failNextFleet). */
  private fleetFailure?: { operation: 'CreateEndpoint' | 'UpdateEndpoint'; reason: string };
  /** Observers of live weight and status changes (the traffic generator, the timeline). */
  onChange: (endpointName: string) => void = () => undefined;

  constructor(private readonly behaviour: SageMakerBehaviour) {}

  operations(): Record<string, (input: any) => unknown> {
    const guard = (op: string, fn: (input: any) => unknown) => (input: any) => {
      if (this.behaviour.throttled?.(op)) throw new ServiceError('ThrottlingException', 'Rate exceeded');
      return fn(input);
    };
    return {
      CreateModel: guard('CreateModel', (i) => this.createModel(i)),
      DescribeModel: guard('DescribeModel', (i) => this.describeModel(i)),
      DeleteModel: guard('DeleteModel', (i) => { this.need(this.models, i.ModelName, 'model'); this.models.delete(i.ModelName); return {}; }),
      ListModels: guard('ListModels', (i) => this.page('Models', this.list(this.models.keys(), i.NameContains), i, (n) => ({ ModelName: n, ModelArn: this.arn('model', n), CreationTime: 0 }))),
      CreateEndpointConfig: guard('CreateEndpointConfig', (i) => this.createEndpointConfig(i)),
      DescribeEndpointConfig: guard('DescribeEndpointConfig', (i) => this.describeEndpointConfig(i)),
      DeleteEndpointConfig: guard('DeleteEndpointConfig', (i) => this.deleteEndpointConfig(i)),
      ListEndpointConfigs: guard('ListEndpointConfigs', (i) => this.page('EndpointConfigs', this.list(this.configs.keys(), i.NameContains), i,
        (n) => ({ EndpointConfigName: n, EndpointConfigArn: this.arn('endpoint-config', n), CreationTime: 0 }))),
      CreateEndpoint: guard('CreateEndpoint', (i) => this.createEndpoint(i)),
      UpdateEndpoint: guard('UpdateEndpoint', (i) => this.updateEndpoint(i)),
      UpdateEndpointWeightsAndCapacities: guard('UpdateEndpointWeightsAndCapacities', (i) => this.updateWeights(i)),
      DescribeEndpoint: guard('DescribeEndpoint', (i) => this.describeEndpoint(i)),
      // ListEndpoints API reference: NameContains filters by a substring of the name (the probe's --cleanup finds its leftovers).
      ListEndpoints: guard('ListEndpoints', (i) => this.page('Endpoints', this.list(this.endpoints.keys(), i.NameContains), i, (n) => ({
        EndpointName: n, EndpointArn: this.arn('endpoint', n), EndpointStatus: this.endpoints.get(n)!.status, CreationTime: 0, LastModifiedTime: 0,
      }))),
      DeleteEndpoint: guard('DeleteEndpoint', (i) => this.deleteEndpoint(i)),
      // Tags of endpoints, addressed by ARN (SageMaker API reference: AddTags adds or overwrites keys, ListTags, DeleteTags;
      // CreateEndpoint takes Tags). Keys up to 128 characters, values up to 256 (the Tag data type).
      AddTags: guard('AddTags', (i) => {
        const tags = this.tagged(i.ResourceArn);
        const keys = new Set([...tags.keys(), ...this.validTags(i.Tags).map((t) => t.Key)]);
        // At most 50 user tags on a resource ("Tagging AWS resources" user guide); the message wording is unverified.
        if (keys.size > 50) throw new ServiceError('ValidationException', `A resource can have at most 50 tags; ${i.ResourceArn} would have ${keys.size}`);
        for (const t of this.validTags(i.Tags)) tags.set(t.Key, t.Value ?? '');
        return { Tags: i.Tags };
      }),
      ListTags: guard('ListTags', (i) => {
        const { items, nextToken } = pageOf([...this.tagged(i.ResourceArn)], i.NextToken, i.MaxResults, LIST_TAGS_PAGE);
        return { Tags: items.map(([Key, Value]) => ({ Key, Value })), ...(nextToken ? { NextToken: nextToken } : {}) };
      }),
      DeleteTags: guard('DeleteTags', (i) => { for (const key of i.TagKeys ?? []) this.tagged(i.ResourceArn).delete(key); return {}; }),
    };
  }

  /**
   * The fleet the next `operation` brings up fails with `reason` (twin/model-network.ts); `undefined` clears it, so a
   * request refused before it started a fleet leaves nothing behind.
   */
  failNextFleet(failure?: { operation: 'CreateEndpoint' | 'UpdateEndpoint'; reason: string }): void {
    this.fleetFailure = failure;
  }

  /** What traffic is routed by right now (current weights of an InService or updating endpoint). */
  serving(endpointName: string): ServingVariant[] {
    const ep = this.endpoints.get(endpointName);
    if (!ep || !['InService', 'Updating', 'SystemUpdating'].includes(ep.status)) return [];
    return ep.variants.map((v) => ({ name: v.name, modelName: v.modelName, weight: v.currentWeight }));
  }

  /**
   * Instances running now, per instance type: each endpoint's fleet, and while it is Creating or Updating, the new fleet
   * beside it. UpdateEndpoint "deploys the EndpointConfig specified in the request to a new fleet of instances ... and then
   * deletes the old instances" (API_UpdateEndpoint), so an update briefly runs both.
   */
  instances(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const ep of this.endpoints.values()) {
      for (const v of [...ep.variants, ...(ep.incoming ?? [])]) {
        // Instances a scale-up is starting run (and count against the quota) from the call on.
        if (v.instanceType) counts.set(v.instanceType, (counts.get(v.instanceType) ?? 0) + Math.max(v.currentInstanceCount, v.desiredInstanceCount));
      }
    }
    return counts;
  }

  /** The interval (s) at which the invocation metrics of `endpointName` recorded at `at` were published (60 by default). */
  invocationMetricsSeconds(endpointName: string, at: number): number {
    const periods = this.publishing.get(endpointName);
    if (!periods) return 60;
    let seconds = periods[0].seconds;
    for (const p of periods) if (p.from <= at) seconds = p.seconds;
    return seconds;
  }

  /** A fleet of `config` serves `ep` from now on: its MetricsConfig sets how its invocation metrics are published. */
  private publishFrom(ep: Endpoint, config: { raw: Record<string, unknown> }): void {
    const metrics = config.raw.MetricsConfig as { EnableEnhancedMetrics?: boolean; MetricPublishFrequencyInSeconds?: number } | undefined;
    const seconds = metrics?.EnableEnhancedMetrics === true ? metrics.MetricPublishFrequencyInSeconds ?? 60 : 60;
    const periods = this.publishing.get(ep.name) ?? [];
    if (periods.at(-1)?.seconds !== seconds) periods.push({ from: Date.now(), seconds });
    this.publishing.set(ep.name, periods);
  }

  modelOf(modelName: string): Record<string, unknown> | undefined {
    return this.models.get(modelName);
  }

  /** The manifest media type of an ECR image (the service twin wires it to its ECR). */
  imageManifestMediaType: (image: string) => string | undefined = () => undefined;
  /** The digest path of an ECR image (`<registry>/<repository>@sha256:...`) as its tag or digest names it now (wired to the ECR twin). */
  resolveImage: (image: string) => string | undefined = () => undefined;
  /** The image and model data of a Model Registry package (set by the service twin from its registry). */
  resolvePackage: (arn: string) => { Image: string; ModelDataUrl: string } | undefined = () => undefined;
  /** Whether the model data at a URL was replaced since the scenario began (set by the service twin from its S3). */
  modelDataTampered: (url: string) => boolean = () => false;
  /** Whether S3 holds an object at a model data URL (set by the service twin from its S3; a URL outside it counts as held). */
  modelDataPresent: (url: string) => boolean = () => true;

  /**
   * Why a new fleet that is coming up cannot serve: a variant's model data is gone. Its instances download it once they
   * run, so the twin checks when the fleet would come up (when within the create or update the download happens is
   * unverified: the probe does not measure it); an object deleted after the request and before then fails the fleet.
   */
  private downloadFailure(incoming: LiveVariant[]): string | undefined {
    for (const v of incoming) {
      const url = (this.models.get(v.modelName)?.PrimaryContainer as { ModelDataUrl?: string } | undefined)?.ModelDataUrl;
      if (url !== undefined && url.startsWith('s3://') && !this.modelDataPresent(url)) return modelDataDownloadFailure(url);
    }
    return undefined;
  }

  private createModel(i: any) {
    this.validName(i.ModelName, 'ModelName');
    if (this.models.has(i.ModelName)) {
      throw new ServiceError('ValidationException', `Cannot create already existing model "${this.arn('model', i.ModelName)}".`);
    }
    if (!i.ExecutionRoleArn) throw new ServiceError('ValidationException', 'ExecutionRoleArn is required');
    if (!i.PrimaryContainer && !i.Containers) throw new ServiceError('ValidationException', 'PrimaryContainer or Containers is required');
    checkVpcConfig(i.VpcConfig);
    checkNetworkIsolation(i.EnableNetworkIsolation);
    for (const container of [i.PrimaryContainer, ...(i.Containers ?? [])].filter(Boolean)) {
      const mediaType = container.Image ? this.imageManifestMediaType(container.Image) : undefined;
      // SageMaker pulls Docker V2 schema 2 manifests only (artifacts.ts OCI_MANIFEST cites the refusal).
      if (mediaType?.startsWith('application/vnd.oci.')) {
        throw new ServiceError('ValidationException', `Unsupported manifest media type ${mediaType} for image ${container.Image}`);
      }
    }
    this.recordTags(this.arn('model', i.ModelName), i.Tags);
    // A container from a Model Registry package runs the package's image and model data (CreateModel API reference,
    // ContainerDefinition.ModelPackageName); kept resolved on the model, as the fleet downloads them.
    const fromPackage = i.PrimaryContainer?.ModelPackageName;
    if (fromPackage !== undefined) {
      const resolved = this.resolvePackage(String(fromPackage));
      if (!resolved) throw new ServiceError('ValidationException', `ModelPackage ${fromPackage} does not exist.`);
      i = { ...i, PrimaryContainer: { ...i.PrimaryContainer, ...resolved } };
    }
    this.models.set(i.ModelName, i);
    this.createRequests.push({ operation: 'CreateModel', input: i });
    return { ModelArn: this.arn('model', i.ModelName) };
  }

  private describeModel(i: any) {
    const m = this.need(this.models, i.ModelName, 'model');
    return { ...m, ModelArn: this.arn('model', i.ModelName), CreationTime: 0 };
  }

  private createEndpointConfig(i: any) {
    this.validName(i.EndpointConfigName, 'EndpointConfigName');
    if (this.configs.has(i.EndpointConfigName)) {
      throw new ServiceError('ValidationException', `Cannot create already existing endpoint configuration "${this.arn('endpoint-config', i.EndpointConfigName)}".`);
    }
    const variants: Variant[] = i.ProductionVariants ?? [];
    if (variants.length < 1 || variants.length > 10) throw new ServiceError('ValidationException', 'ProductionVariants must have 1 to 10 items');
    const names = new Set<string>();
    for (const v of variants) {
      if (names.has(v.VariantName)) throw new ServiceError('ValidationException', `Duplicate VariantName ${v.VariantName}`);
      names.add(v.VariantName);
      if (!this.models.has(v.ModelName)) throw new ServiceError('ValidationException', `Could not find model "${this.arn('model', v.ModelName)}".`);
      if ((v.InitialVariantWeight ?? 1) < 0) throw new ServiceError('ValidationException', `InitialVariantWeight must be >= 0, got ${v.InitialVariantWeight}`);
      if (v.ServerlessConfig && variants.length > 1) throw new ServiceError('ValidationException', 'Serverless endpoints support one production variant');
      if (!v.ServerlessConfig && !v.InstanceType) throw new ServiceError('ValidationException', `InstanceType is required for variant ${v.VariantName}`);
    }
    variants.forEach((v, index) => checkVariantOptions(v as unknown as Record<string, unknown>, index));
    checkMetricsConfig(i.MetricsConfig);
    if (variants.every((v) => (v.InitialVariantWeight ?? 1) === 0)) {
      throw new ServiceError('ValidationException', 'The sum of InitialVariantWeight across ProductionVariants must be greater than 0');
    }
    this.recordTags(this.arn('endpoint-config', i.EndpointConfigName), i.Tags);
    this.configs.set(i.EndpointConfigName, { name: i.EndpointConfigName, variants, raw: i, createdAt: Date.now() });
    this.createRequests.push({ operation: 'CreateEndpointConfig', input: i });
    return { EndpointConfigArn: this.arn('endpoint-config', i.EndpointConfigName) };
  }

  private describeEndpointConfig(i: any) {
    const c = this.need(this.configs, i.EndpointConfigName, 'endpoint configuration');
    // EnableDetailedObservability defaults to true for configs created after June 17, 2026 (MetricsConfig API reference).
    const metrics = { EnableDetailedObservability: true, ...(c.raw.MetricsConfig as Record<string, unknown> | undefined) };
    return { ...c.raw, MetricsConfig: metrics, EndpointConfigArn: this.arn('endpoint-config', c.name), CreationTime: epochSeconds(c.createdAt) };
  }

  private deleteEndpointConfig(i: any) {
    this.need(this.configs, i.EndpointConfigName, 'endpoint configuration');
    this.configs.delete(i.EndpointConfigName);
    return {};
  }

  private createEndpoint(i: any) {
    this.validName(i.EndpointName, 'EndpointName');
    if (this.endpoints.has(i.EndpointName)) {
      throw new ServiceError('ValidationException', `Cannot create already existing endpoint "${this.arn('endpoint', i.EndpointName)}".`);
    }
    const config = this.need(this.configs, i.EndpointConfigName, 'endpoint configuration');
    const incoming = config.variants.map((v) => this.live(v));
    this.withinQuota(incoming);
    const now = Date.now();
    const ep: Endpoint = {
      name: i.EndpointName, arn: this.arn('endpoint', i.EndpointName), status: 'Creating', configName: config.name,
      variants: [], createdAt: now, modifiedAt: now, tags: new Map(this.validTags(i.Tags).map((t) => [t.Key, t.Value ?? ''])),
    };
    this.recordTags(ep.arn, i.Tags);
    this.endpoints.set(ep.name, ep);
    this.bringUp(ep, incoming);
    const network = this.fleetFailure?.operation === 'CreateEndpoint' ? this.fleetFailure.reason : undefined;
    const failNextCreate = this.behaviour.failNextCreate;
    this.behaviour.failNextCreate = undefined;
    setTimeout(() => {
      // A create whose fleet cannot come up ends Failed with the reason (DescribeEndpoint: "Failed: Endpoint could not be created").
      const reason = network ?? this.downloadFailure(incoming) ?? (failNextCreate ? 'The primary container for production variant failed to pass the ping health check.' : undefined);
      if (reason !== undefined) {
        ep.status = 'Failed';
        ep.failureReason = reason;
      } else {
        ep.status = 'InService';
        ep.variants = incoming;
        this.publishFrom(ep, config);
      }
      ep.incoming = undefined;
      this.logInstances();
      ep.modifiedAt = Date.now();
      this.onChange(ep.name);
    }, this.behaviour.createSeconds * 1000);
    return { EndpointArn: ep.arn };
  }

  private updateEndpoint(i: any) {
    const ep = this.endpoint(i.EndpointName);
    this.mutable(ep);
    const config = this.need(this.configs, i.EndpointConfigName, 'endpoint configuration');
    const retain = i.RetainAllVariantProperties === true;
    const excluded = new Set((i.ExcludeRetainedVariantProperties ?? []).map((p: { VariantPropertyType: string }) => p.VariantPropertyType));
    // The whole config goes to a new fleet, unchanged variants too (API_UpdateEndpoint); retained properties carry over.
    const incoming = config.variants.map((v) => {
      const kept = retain ? ep.variants.find((old) => old.name === v.VariantName) : undefined;
      const next = this.live(v);
      if (!kept) return next;
      return {
        ...next,
        ...(excluded.has('DesiredWeight') ? {} : { currentWeight: kept.currentWeight, desiredWeight: kept.desiredWeight }),
        ...(excluded.has('DesiredInstanceCount') ? {} : { currentInstanceCount: kept.currentInstanceCount, desiredInstanceCount: kept.desiredInstanceCount }),
      };
    });
    this.withinQuota(incoming);
    // SageMaker developer guide, "Update endpoints that use auto scaling": an update that changes the instance type of,
    // or removes, a variant registered as a scalable target fails (changing its model is allowed). The message wording
    // is unverified: the probe does not measure it.
    const blocked = (this.behaviour.scalableVariants?.(ep.name) ?? []).filter((name) => {
      const next = incoming.find((v) => v.name === name);
      const now = ep.variants.find((v) => v.name === name);
      return now !== undefined && (next === undefined || next.instanceType !== now.instanceType);
    });
    if (blocked.length > 0) {
      throw new ServiceError('ValidationException', `The variant(s) [${blocked.join(', ')}] of endpoint ${ep.name} are registered with Application Auto Scaling: deregister them (DeregisterScalableTarget) before an update that removes them or changes their instance type.`);
    }
    ep.status = 'Updating';
    ep.modifiedAt = Date.now();
    ep.failureReason = undefined;
    this.bringUp(ep, incoming);
    this.onChange(ep.name);
    const network = this.fleetFailure?.operation === 'UpdateEndpoint' ? this.fleetFailure.reason : undefined;
    const failNextUpdate = this.behaviour.failNextUpdate;
    this.behaviour.failNextUpdate = undefined;
    setTimeout(() => {
      const reason = network ?? this.downloadFailure(incoming);
      const fail = reason !== undefined ? 'reported' : failNextUpdate;
      ep.status = 'InService';
      ep.modifiedAt = Date.now();
      ep.incoming = undefined;
      if (fail) {
        // SageMaker rolls a failed update back to the old config ("there is no availability loss": the old fleet
        // serves until the new one is in service, API_UpdateEndpoint); the reason may or may not be reported.
        if (fail === 'reported') ep.failureReason = reason ?? 'Request to service failed. If failure persists after retry, contact customer support.';
      } else {
        ep.configName = config.name;
        ep.variants = incoming;
        this.publishFrom(ep, config);
      }
      this.logInstances();
      this.onChange(ep.name);
    }, this.behaviour.updateSeconds * 1000);
    return { EndpointArn: ep.arn };
  }

  private updateWeights(i: any) {
    const ep = this.endpoint(i.EndpointName);
    this.mutable(ep);
    const desired: Array<{ VariantName: string; DesiredWeight?: number; DesiredInstanceCount?: number }> = i.DesiredWeightsAndCapacities ?? [];
    if (desired.length < 1) throw new ServiceError('ValidationException', 'DesiredWeightsAndCapacities must have at least 1 item');
    for (const d of desired) {
      const v = ep.variants.find((x) => x.name === d.VariantName);
      if (!v) throw new ServiceError('ValidationException', `The variant name(s) [${d.VariantName}] is/are not present.`);
      if (d.DesiredWeight !== undefined && !(d.DesiredWeight >= 0)) {
        throw new ServiceError('ValidationException', `1 validation error detected: Value '${d.DesiredWeight}' at 'desiredWeightsAndCapacities.1.member.desiredWeight' failed to satisfy constraint: Member must have value greater than or equal to 0`);
      }
    }
    const total = ep.variants.reduce((sum, v) => sum + (desired.find((d) => d.VariantName === v.name)?.DesiredWeight ?? v.desiredWeight), 0);
    if (!(total > 0)) throw new ServiceError('ValidationException', 'The sum of the desired weights of all variants must be greater than 0');
    // A scale-up starts new instances: they count against the account's quota (ResourceLimitExceeded beyond it, as for a
    // new fleet) and take as long as a new fleet to come up (unverified: assumed equal to updateSeconds; the probe does
    // not measure it yet). Until then DescribeEndpoint shows the old CurrentInstanceCount and the new DesiredInstanceCount.
    const more: LiveVariant[] = [];
    for (const d of desired) {
      const v = ep.variants.find((x) => x.name === d.VariantName)!;
      if (d.DesiredInstanceCount === undefined) continue;
      if (!Number.isInteger(d.DesiredInstanceCount) || d.DesiredInstanceCount < 1) {
        throw new ServiceError('ValidationException', `1 validation error detected: Value '${d.DesiredInstanceCount}' at 'desiredWeightsAndCapacities.1.member.desiredInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`);
      }
      const added = d.DesiredInstanceCount - Math.max(v.currentInstanceCount, v.desiredInstanceCount);
      if (added > 0) more.push({ ...v, currentInstanceCount: added, desiredInstanceCount: added });
    }
    this.withinQuota(more);
    const lag = this.behaviour.describeLagSeconds ?? 0;
    if (lag > 0) ep.stale = { until: Date.now() + lag * 1000, view: this.view(ep) };
    for (const d of desired) {
      const v = ep.variants.find((x) => x.name === d.VariantName)!;
      if (d.DesiredWeight !== undefined) v.desiredWeight = d.DesiredWeight;
      if (d.DesiredInstanceCount !== undefined) v.desiredInstanceCount = d.DesiredInstanceCount;
    }
    ep.status = 'Updating';
    ep.modifiedAt = Date.now();
    this.logInstances();
    // Recorded too: until the update completes the endpoint still serves its current weights.
    this.onChange(ep.name);
    setTimeout(() => {
      for (const v of ep.variants) {
        v.currentWeight = v.desiredWeight;
        v.currentInstanceCount = v.desiredInstanceCount;
      }
      ep.status = 'InService';
      ep.modifiedAt = Date.now();
      this.logInstances();
      this.onChange(ep.name);
    }, (more.length > 0 ? this.behaviour.updateSeconds : this.behaviour.weightsSeconds) * 1000);
    return { EndpointArn: ep.arn };
  }

  private describeEndpoint(i: any) {
    const ep = this.endpoint(i.EndpointName);
    return ep.stale !== undefined && Date.now() < ep.stale.until ? ep.stale.view : this.view(ep);
  }

  private view(ep: Endpoint): Record<string, unknown> {
    return {
      EndpointName: ep.name,
      EndpointArn: ep.arn,
      EndpointConfigName: ep.configName,
      EndpointStatus: ep.status,
      FailureReason: ep.failureReason,
      CreationTime: epochSeconds(ep.createdAt),
      LastModifiedTime: epochSeconds(ep.modifiedAt),
      ProductionVariants: ep.variants.map((v) => ({
        VariantName: v.name,
        DeployedImages: v.image ? [{ SpecifiedImage: v.image.specified, ResolvedImage: v.image.resolved, ResolutionTime: epochSeconds(v.image.at) }] : [],
        CurrentWeight: v.currentWeight,
        DesiredWeight: v.desiredWeight,
        CurrentInstanceCount: v.currentInstanceCount,
        DesiredInstanceCount: v.desiredInstanceCount,
      })),
    };
  }

  private deleteEndpoint(i: any) {
    const ep = this.endpoint(i.EndpointName);
    if (IN_PROGRESS.includes(ep.status)) {
      throw new ServiceError('ValidationException', `Cannot update in-progress endpoint "${ep.arn}".`);
    }
    ep.status = 'Deleting';
    this.onChange(ep.name);
    setTimeout(() => { this.endpoints.delete(ep.name); this.behaviour.endpointDeleted?.(ep.name); this.logInstances(); this.onChange(ep.name); }, this.behaviour.deleteSeconds * 1000);
    return {};
  }

  /** The tags of the endpoint an ARN names (the twin tags endpoints only). */
  private tagged(arn: string): Map<string, string> {
    const ep = [...this.endpoints.values()].find((e) => e.arn === arn);
    // unverified: the probe reports which error SageMaker answers for the tags of a missing endpoint (`tagsOfMissingEndpoint`).
    if (!ep) throw new ServiceError('ResourceNotFound', `Resource ${arn} does not exist.`);
    return ep.tags;
  }

  /**
   * SageMaker's Tag data type: key 1-128 and value 0-256 characters matching `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`; at most
   * 50 tags per request (CreateModel/CreateEndpointConfig/CreateEndpoint/AddTags: Tags, 0-50 items); the `aws:` prefix
   * is reserved (Tagging AWS resources user guide, "Tag naming limits and requirements").
   */
  private validTags(tags: Array<{ Key: string; Value?: string }> | undefined): Array<{ Key: string; Value?: string }> {
    const text = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
    if ((tags ?? []).length > 50) throw new ServiceError('ValidationException', `1 validation error detected: Tags must have at most 50 items, got ${tags!.length}`);
    for (const t of tags ?? []) {
      if (!t.Key || t.Key.length > 128 || (t.Value ?? '').length > 256 || !text.test(t.Key) || !text.test(t.Value ?? '')) {
        throw new ServiceError('ValidationException', `1 validation error detected: tag '${t.Key}' must have a key of 1-128 and a value of at most 256 characters of letters, digits, spaces and _.:/=+-@`);
      }
      if (t.Key.toLowerCase().startsWith('aws:')) throw new ServiceError('ValidationException', `Tag keys starting with 'aws:' are reserved, got '${t.Key}'`);
    }
    return tags ?? [];
  }

  /** Tags each Model and EndpointConfig was created with, by ARN (what a scenario shows). */
  readonly createdTags = new Map<string, Record<string, string>>();

  private recordTags(arn: string, tags: Array<{ Key: string; Value?: string }> | undefined): void {
    this.createdTags.set(arn, Object.fromEntries(this.validTags(tags).map((t) => [t.Key, t.Value ?? ''])));
  }

  private live(v: Variant): LiveVariant {
    const weight = v.InitialVariantWeight ?? 1;
    const count = v.ServerlessConfig ? 0 : v.InitialInstanceCount ?? 1;
    return { name: v.VariantName, modelName: v.ModelName, instanceType: v.InstanceType, currentWeight: weight, desiredWeight: weight, currentInstanceCount: count, desiredInstanceCount: count };
  }

  /** A new fleet starts: its instances run from now on, and each variant downloads its model data onto it. */
  private bringUp(ep: Endpoint, incoming: LiveVariant[]) {
    ep.incoming = incoming;
    for (const v of incoming) {
      const url = (this.models.get(v.modelName)?.PrimaryContainer as { ModelDataUrl?: string } | undefined)?.ModelDataUrl;
      const data = url === undefined ? {} : { modelDataUrl: url, tampered: this.modelDataTampered(url) };
      this.downloads.push({ at: Date.now(), endpointName: ep.name, variantName: v.name, modelName: v.modelName, ...data });
      const specified = String((this.models.get(v.modelName)?.PrimaryContainer as { Image?: string } | undefined)?.Image ?? '');
      // An image outside the twin's ECR resolves to itself (what SageMaker reports for one is unverified: not measured,
      // the probe deploys the user's image, which SageMaker pulls from ECR).
      if (specified) v.image = { specified, resolved: this.resolveImage(specified) ?? specified, at: Date.now() };
    }
    this.logInstances();
  }

  private logInstances() {
    const instances = [...this.instances().values()].reduce((a, b) => a + b, 0);
    if (this.instanceLog.at(-1)?.instances !== instances) this.instanceLog.push({ at: Date.now(), instances });
  }

  /**
   * Refuses a new fleet the account's instance quota cannot hold beside what already runs, with the error and message
   * SageMaker gives (ResourceLimitExceeded is the error API_CreateEndpoint and API_UpdateEndpoint document; the message
   * wording is unverified: not measured, the probe must not exceed the account's quotas).
   */
  private withinQuota(incoming: LiveVariant[]) {
    const quota = this.behaviour.instanceQuota;
    if (quota === undefined) return;
    const running = this.instances();
    const elsewhere = this.behaviour.instancesElsewhere?.() ?? 0;
    const delta = new Map<string, number>();
    for (const v of incoming) if (v.instanceType) delta.set(v.instanceType, (delta.get(v.instanceType) ?? 0) + v.currentInstanceCount);
    for (const [type, more] of delta) {
      const used = (running.get(type) ?? 0) + elsewhere;
      if (used + more > quota) {
        throw new ServiceError('ResourceLimitExceeded', `The account-level service limit '${type} for endpoint usage' is ${quota} Instances, with current utilization of ${used} Instances and a request delta of ${more} Instances. Please use AWS Service Quotas to request an increase for this quota.`);
      }
    }
  }

  private mutable(ep: Endpoint) {
    if (ep.status !== 'InService') {
      throw new ServiceError('ValidationException', `Cannot update in-progress endpoint "${ep.arn}".`);
    }
  }

  private endpoint(name: string): Endpoint {
    const ep = this.endpoints.get(name);
    if (!ep) throw new ServiceError('ValidationException', `Could not find endpoint "${this.arn('endpoint', name)}".`);
    return ep;
  }

  private need<T>(map: Map<string, T>, name: string, what: string): T {
    const found = map.get(name);
    if (!found) throw new ServiceError('ValidationException', `Could not find ${what} "${this.arn(what === 'model' ? 'model' : 'endpoint-config', name)}".`);
    return found;
  }

  private validName(name: unknown, field: string) {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ServiceError('ValidationException', `1 validation error detected: Value '${String(name)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`);
    }
  }

  /** One page of a List* answer (LIST_PAGE), its items under `key`, NextToken while more follow. */
  private page(key: string, names: string[], input: { NextToken?: string; MaxResults?: number }, summary: (name: string) => Record<string, unknown>) {
    const { items, nextToken } = pageOf(names, input.NextToken, input.MaxResults, LIST_PAGE);
    return { [key]: items.map(summary), ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  private list(names: Iterable<string>, contains?: string): string[] {
    return [...names].filter((n) => !contains || n.includes(contains)).sort();
  }

  private arn(type: string, name: string): string {
    return `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${type}/${name.toLowerCase()}`;
  }
}
