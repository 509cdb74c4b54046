import { BehaviourProfile } from '../behaviour';
import { caller } from '../function-host';
import { Random } from '../random';
import { WireRequest, WireResponse } from '../transport';
import { ArtifactsTwin, StoredImage, StoredObject } from './artifacts';
import { CloudWatchTwin, MetricArrival } from './cloudwatch';
import { DynamoDbTwin } from './dynamodb';
import { EventBridgeTwin, EventDelivery } from './eventbridge';
import { RuntimeTwin } from './runtime';
import { SageMakerBehaviour, SageMakerTwin } from './sagemaker';
import { SnsTwin } from './sns';
import { LambdaInvoker, StepFunctionsTwin } from './stepfunctions';
import { jsonError, serveJson, ServiceError } from './wire';

export interface TwinOptions {
  sagemaker: SageMakerBehaviour;
  /** When a metric datapoint becomes visible in CloudWatch. */
  metricArrival: MetricArrival;
  events: EventDelivery;
  profiles: Record<string, BehaviourProfile>;
  objects: StoredObject[];
  images: StoredImage[];
  random: Random;
  invoke: LambdaInvoker;
}

/** Every AWS service the controller calls, behind one wire-level entry point. */
export class ServiceTwin {
  readonly sagemaker: SageMakerTwin;
  readonly runtime: RuntimeTwin;
  readonly cloudwatch: CloudWatchTwin;
  readonly dynamodb = new DynamoDbTwin();
  readonly stepfunctions: StepFunctionsTwin;
  readonly eventbridge: EventBridgeTwin;
  readonly sns = new SnsTwin();
  readonly artifacts: ArtifactsTwin;
  /** Every control-plane call, for the timeline and the invariant checks. */
  readonly calls: Array<{ at: number; service: string; operation: string; caller?: string; error?: string }> = [];

  constructor(options: TwinOptions) {
    this.cloudwatch = new CloudWatchTwin(options.metricArrival);
    this.sagemaker = new SageMakerTwin(options.sagemaker);
    this.runtime = new RuntimeTwin(this.sagemaker, this.cloudwatch, options.profiles, options.random);
    this.stepfunctions = new StepFunctionsTwin(options.invoke);
    this.eventbridge = new EventBridgeTwin(options.events);
    this.artifacts = new ArtifactsTwin(options.objects, options.images);
  }

  async handle(request: WireRequest): Promise<WireResponse> {
    const host = request.hostname;
    const target = request.headers['x-amz-target'] ?? '';
    let service = host.split('.')[0];
    let response: WireResponse;
    if (target.startsWith('DynamoDB_')) {
      service = 'dynamodb';
      response = await this.dynamodb.handle(request);
    } else if (target.startsWith('SageMaker.')) {
      service = 'sagemaker';
      response = await serveJson(request, this.sagemaker.operations());
    } else if (target.startsWith('GraniteServiceVersion20100801.')) {
      service = 'cloudwatch';
      response = await serveJson(request, this.cloudwatch.operations(), 'application/x-amz-json-1.0');
    } else if (target.startsWith('AWSStepFunctions.')) {
      service = 'states';
      response = await serveJson(request, this.stepfunctions.operations(), 'application/x-amz-json-1.0');
    } else if (target.startsWith('AWSEvents.')) {
      service = 'events';
      response = await serveJson(request, this.eventbridge.operations());
    } else if (target.startsWith('AmazonEC2ContainerRegistry_V20150921.')) {
      service = 'ecr';
      response = await serveJson(request, this.artifacts.ecrOperations());
    } else if (host.startsWith('runtime.sagemaker.')) {
      service = 'sagemaker-runtime';
      response = this.runtime.handle(request);
    } else if (host.startsWith('sns.')) {
      response = this.sns.handle(request);
    } else if (/(^|\.)s3[.-]/.test(host)) {
      service = 's3';
      response = this.artifacts.handleS3(request);
    } else {
      response = jsonError(new ServiceError('UnknownService', `the twin does not serve ${host} (${target || request.path})`));
    }
    const operation = target ? target.slice(target.indexOf('.') + 1) : `${request.method} ${request.path}`;
    this.calls.push({ at: Date.now(), service, operation, caller: caller.getStore(), error: response.statusCode >= 300 ? response.headers['x-amzn-errortype'] ?? String(response.statusCode) : undefined });
    return response;
  }
}
