import { BehaviourProfile } from '../behaviour';
import { caller, signingFunction } from '../function-host';
import { Random } from '../random';
import { WireRequest, WireResponse } from '../transport';
import { ArtifactsTwin, StoredImage, StoredObject } from './artifacts';
import { ModelPackage, ModelRegistryTwin } from './model-registry';
import { CloudWatchTwin, MetricArrival } from './cloudwatch';
import { accessDenied } from './access-denied';
import { DynamoDbTwin } from './dynamodb';
import { EventBridgeTwin, EventDelivery } from './eventbridge';
import { IamAuthorizer } from './iam';
import { modelDataDenied } from './model-data-download';
import { networkFailure } from './model-network';
import { Authorization, authorizationsFor } from './iam-actions';
import { RuntimeTwin } from './runtime';
import { SageMakerBehaviour, SageMakerTwin } from './sagemaker';
import { ServiceQuotasTwin } from './service-quotas';
import { ApplicationAutoScalingTwin } from './application-auto-scaling';
import { SnsTwin } from './sns';
import { SqsTwin } from './sqs';
import { SsmTwin } from './ssm';
import { LambdaInvoker, LambdaTimeoutError, StepFunctionsTwin } from './stepfunctions';
import { ApiThrottle, throttledResponse } from './throttling';
import { LambdaTwin } from './lambda';
import { jsonError, jsonOperation, serveJson, ServiceError } from './wire';
import { API_RATES, ApiRate } from '../calibration';

export interface TwinOptions {
  sagemaker: SageMakerBehaviour;
  /** When a metric datapoint becomes visible in CloudWatch. */
  metricArrival: MetricArrival;
  /**
   * When a datapoint of an endpoint whose config publishes its invocation metrics every 10 s (MetricsConfig with
   * EnableEnhancedMetrics) becomes visible (default: as `metricArrival`).
   */
  fastMetricArrival?: MetricArrival;
  events: EventDelivery;
  profiles: Record<string, BehaviourProfile>;
  objects: StoredObject[];
  images: StoredImage[];
  /** Model Registry packages (scenarios whose endpoint follows a group). */
  packages?: ModelPackage[];
  random: Random;
  invoke: LambdaInvoker;
  /** The error a Lambda Task reports for a function that timed out (default Lambda.Unknown: twin/stepfunctions.ts). */
  lambdaTimeoutError?: LambdaTimeoutError;
  /** Each API's request rate (default: simulator/calibration.ts API_RATES; a scenario's faults can lower them). */
  apiRates?: Readonly<Record<string, ApiRate>>;
}

/** Every AWS service the controller calls, behind one wire-level entry point. */
export class ServiceTwin {
  readonly sagemaker: SageMakerTwin;
  readonly runtime: RuntimeTwin;
  readonly cloudwatch: CloudWatchTwin;
  readonly dynamodb = new DynamoDbTwin();
  readonly stepfunctions: StepFunctionsTwin;
  /** Lambda's Invoke API, for the functions the controller calls (post-rollback hooks). */
  readonly lambda: LambdaTwin;
  readonly eventbridge: EventBridgeTwin;
  readonly sns = new SnsTwin();
  /** The probe's queue for timing EventBridge deliveries. */
  readonly sqs = new SqsTwin();
  /** Parameter Store: the exposure plans of cohort rollouts. */
  readonly ssm = new SsmTwin();
  readonly artifacts: ArtifactsTwin;
  readonly registry: ModelRegistryTwin;
  /** The account's instance quotas, as the twin's SageMaker enforces them. */
  readonly serviceQuotas: ServiceQuotasTwin;
  /** Scalable targets of the endpoints' variants (registered by the controller). */
  readonly autoScaling: ApplicationAutoScalingTwin;
  /** Authorizes every request a Lambda function signs against its role's policies from the template. */
  readonly iam = new IamAuthorizer();
  /** Every control-plane call, for the timeline and the invariant checks; `denied`: IAM refused it. */
  readonly calls: Array<{ at: number; service: string; operation: string; caller?: string; error?: string; denied?: string; throttled?: boolean }> = [];
  /** Each API's token bucket (simulator/twin/throttling.ts). */
  private readonly throttle: ApiThrottle;

  constructor(private readonly options: TwinOptions) {
    this.throttle = new ApiThrottle(options.apiRates ?? API_RATES);
    this.cloudwatch = new CloudWatchTwin(options.metricArrival);
    this.sagemaker = new SageMakerTwin(options.sagemaker);
    this.autoScaling = new ApplicationAutoScalingTwin((endpoint, variant) =>
      this.sagemaker.endpoints.get(endpoint)?.variants.some((v) => v.name === variant) ?? false);
    options.sagemaker.scalableVariants = (endpoint) => this.autoScaling.registeredVariants(endpoint);
    options.sagemaker.endpointDeleted = (endpoint) => this.autoScaling.endpointDeleted(endpoint);
    this.serviceQuotas = new ServiceQuotasTwin(() => options.sagemaker.instanceQuota);
    this.runtime = new RuntimeTwin(this.sagemaker, this.cloudwatch, options.profiles, options.random);
    this.stepfunctions = new StepFunctionsTwin(options.invoke, options.lambdaTimeoutError);
    this.lambda = new LambdaTwin(options.invoke);
    this.eventbridge = new EventBridgeTwin(options.events);
    this.eventbridge.deliverToQueue = (arn, body) => this.sqs.deliver(arn, body);
    this.artifacts = new ArtifactsTwin(options.objects, options.images);
    this.sagemaker.imageManifestMediaType = (image) => this.artifacts.mediaTypeOf(image);
    this.sagemaker.resolveImage = (image) => this.artifacts.resolve(image);
    this.registry = new ModelRegistryTwin((event) => this.eventbridge.publish(event));
    for (const pkg of options.packages ?? []) this.registry.add(pkg);
    this.sagemaker.resolvePackage = (arn) => {
      const pkg = this.registry.packages.get(arn);
      return pkg && { Image: pkg.image, ModelDataUrl: pkg.modelDataUrl };
    };
    this.sagemaker.modelDataTampered = (url) => this.artifacts.objectAt(url)?.tampered === true;
    this.sagemaker.modelDataPresent = (url) => this.artifacts.objectAt(url) !== undefined;
    this.cloudwatch.arrivalOf = (metric, at) => {
      const endpoint = metric.Namespace === 'AWS/SageMaker' ? metric.Dimensions?.find((d) => d.Name === 'EndpointName')?.Value : undefined;
      return endpoint === undefined ? options.metricArrival : this.sageMakerMetricArrival(endpoint, at);
    };
    this.cloudwatch.compositeAlarmsVisible = (action) => {
      const principal = signingFunction.getStore();
      return !this.iam.governs(principal) || this.iam.allowedOnEveryResource(principal, action);
    };
  }

  /** How late the SageMaker metrics of `endpointName` recorded at `at` arrive: its config's publishing interval decides. */
  sageMakerMetricArrival(endpointName: string, at: number): MetricArrival {
    const fast = this.options.fastMetricArrival;
    return fast !== undefined && this.sagemaker.invocationMetricsSeconds(endpointName, at) === 10 ? fast : this.options.metricArrival;
  }

  async handle(request: WireRequest): Promise<WireResponse> {
    const target = request.headers['x-amz-target'] ?? '';
    const service = serviceOf(request);
    const operation = target ? target.slice(target.indexOf('.') + 1) : `${request.method} ${request.path}`;
    const principal = signingFunction.getStore();
    const refused = await this.refusal(principal, service, request);
    // The account's rate for the API: a throttled request is refused before it is served (its token bucket is empty).
    const throttled = !refused && !this.throttle.take(apiOf(service, request), Date.now());
    const response = refused ? accessDenied(service, this.iam.sessionArn(principal!), refused, request.method)
      : throttled ? throttledResponse(service) : await this.serveWithFleet(service, operation, request, principal);
    const error = response.statusCode >= 300 ? response.headers['x-amzn-errortype'] ?? response.headers['x-amz-error-code'] ?? String(response.statusCode) : undefined;
    this.calls.push({
      at: Date.now(), service, operation, caller: caller.getStore(), error,
      ...(refused ? { denied: `${refused.action} on ${refused.resource}` } : {}),
      // Refused by the API's rate, or by a scenario's throttling window (SageMakerBehaviour.throttled).
      ...(throttled || error === 'ThrottlingException' ? { throttled: true } : {}),
    });
    return response;
  }

  /**
   * IAM: the authorization the signing function's role does not allow (undefined: allowed, or not signed by a function
   * of the template: the operator's CLI and CloudFormation's own calls are not authorized here). An operation without
   * an IAM mapping is refused, so a new call cannot slip past the check.
   */
  private async refusal(principal: string | undefined, service: string, request: WireRequest): Promise<Authorization | undefined> {
    if (!this.iam.governs(principal)) return undefined;
    const { operation, input } = requestInput(service, request);
    const needed = authorizationsFor(service, operation, input, request);
    if (!needed) return { action: `${service}:${operation || request.method}`, resource: 'unmapped: add the operation to simulator/twin/iam-actions.ts' };
    return this.iam.firstDenied(principal, needed);
  }

  /**
   * A fleet of VPC models whose role cannot attach network interfaces (twin/model-network.ts), or whose model role may not
   * read a variant's model data (twin/model-data-download.ts), fails once it is brought up.
   */
  private async serveWithFleet(service: string, operation: string, request: WireRequest, principal?: string): Promise<WireResponse> {
    if (service !== 'sagemaker' || (operation !== 'CreateEndpoint' && operation !== 'UpdateEndpoint')) return this.serve(service, request, principal);
    const configName = requestInput(service, request).input.EndpointConfigName;
    const reason = await networkFailure(this.sagemaker, this.iam, configName) ?? await modelDataDenied(this.sagemaker, this.iam, configName);
    this.sagemaker.failNextFleet(reason === undefined ? undefined : { operation, reason });
    try {
      return await this.serve(service, request, principal);
    } finally {
      this.sagemaker.failNextFleet(undefined);
    }
  }

  private async serve(service: string, request: WireRequest, principal?: string): Promise<WireResponse> {
    switch (service) {
      case 'dynamodb': return this.dynamodb.handle(request);
      case 'sagemaker': return serveJson(request, { ...this.sagemaker.operations(), ...this.registry.operations() });
      case 'cloudwatch': return serveJson(request, this.cloudwatch.operations(), 'application/x-amz-json-1.0');
      case 'states': return serveJson(request, this.stepfunctions.operations(), 'application/x-amz-json-1.0');
      case 'events': return serveJson(request, this.eventbridge.operations());
      case 'ecr': return serveJson(request, this.artifacts.ecrOperations());
      case 'sagemaker-runtime': return this.runtime.handle(request);
      case 'sns': return this.sns.handle(request);
      case 'lambda': return this.lambda.handle(request);
      case 's3': return this.artifacts.handleS3(request, (bucket) =>
        !this.iam.governs(principal) || this.iam.allowed(principal, { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}` }));
      case 'servicequotas': return serveJson(request, this.serviceQuotas.operations());
      case 'application-autoscaling': return serveJson(request, this.autoScaling.operations());
      case 'sqs': return serveJson(request, this.sqs.operations(), 'application/x-amz-json-1.0');
      case 'ssm': return serveJson(request, this.ssm.operations());
    }
    return jsonError(new ServiceError('UnknownService', `the twin does not serve ${request.hostname} (${request.headers['x-amz-target'] || request.path})`));
  }
}

/** The service a request is for, as IAM's action prefix names it (the SageMaker runtime apart). */
function serviceOf(request: WireRequest): string {
  const target = request.headers['x-amz-target'] ?? '';
  const prefixes: Array<[string, string]> = [
    ['DynamoDB_', 'dynamodb'], ['SageMaker.', 'sagemaker'], ['GraniteServiceVersion20100801.', 'cloudwatch'], ['AWSStepFunctions.', 'states'],
    ['AWSEvents.', 'events'], ['AmazonEC2ContainerRegistry_V20150921.', 'ecr'], ['ServiceQuotasV20190624.', 'servicequotas'],
    ['AnyScaleFrontendService.', 'application-autoscaling'], ['AmazonSQS.', 'sqs'], ['AmazonSSM.', 'ssm'],
  ];
  const known = prefixes.find(([prefix]) => target.startsWith(prefix));
  if (known) return known[1];
  const host = request.hostname;
  if (host.startsWith('runtime.sagemaker.')) return 'sagemaker-runtime';
  if (/(^|\.)s3[.-]/.test(host)) return 's3';
  return host.split('.')[0];
}

/** `<service>:<operation>` as API_RATES names it (S3's REST calls by method). */
function apiOf(service: string, request: WireRequest): string {
  if (service === 's3') return `s3:${request.method === 'HEAD' ? 'HeadObject' : 'GetObject'}`;
  return `${service}:${requestInput(service, request).operation}`;
}

/** The operation and its parameters: JSON body (X-Amz-Target), or the Query protocol's form (SNS). */
function requestInput(service: string, request: WireRequest): { operation: string; input: Record<string, any> } {
  if (service === 'sns') {
    const form = Object.fromEntries(new URLSearchParams(request.body));
    return { operation: form.Action ?? '', input: form };
  }
  if (request.headers['x-amz-target']) return jsonOperation(request);
  return { operation: '', input: {} };
}
