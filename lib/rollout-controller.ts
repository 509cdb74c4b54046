import { Arn, ArnFormat, CfnOutput, Duration, Lazy, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import {
  KMS_GRANT_WILDCARD_ACTIONS, acknowledgeManagedPolicy, acknowledgeWildcardActions, acknowledgeWildcardResources,
} from './private/nag';
import { GUARD_LISTENER_TIMEOUT_SECONDS } from '../lambda/core/fast-lever';
import { OWNER_TAG } from '../lambda/core/ownership-decision';
import { ENDPOINT_TAG } from '../lambda/core/tags';
import { METRIC_DIMENSION, METRIC_NAME, rolloutMetric } from './private/rollout-metric';
import { RolloutOutcome } from './rollout-outcome';
import { HandlerBundle, handlerBundleDir } from './private/bundles';
import { rolloutDefinition } from './private/rollout-definition';
import { controllerKey, controllerResourceArns, endpointArnOf, sageMakerNamePrefix } from './private/sagemaker-arns';
import { checkStackLimits } from './private/stack-limits';
import { selectSubnets } from './private/subnet-selection';

/** Properties of the rollout controller. */
export interface RolloutControllerProps {
  /**
   * Customer-managed key for the state table.
   *
   * @default - AWS-managed encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Retention of the controller's logs (state machine and Lambdas).
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the state table (state and the decision history) when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN - the history of rollouts outlives the stack
   */
  readonly tableRemovalPolicy?: RemovalPolicy;

  /**
   * What the state machine logs. `ALL` logs every state transition; with `logExecutionData` it also logs each
   * execution's input and output (endpoint specs, evidence, approvers' identities).
   *
   * @default sfn.LogLevel.ERROR - failed executions and tasks only
   */
  readonly stateMachineLogLevel?: sfn.LogLevel;

  /**
   * Whether the state machine's logs include each execution's input and output.
   *
   * @default false - execution data stays out of the logs (the history in the state table records every decision)
   */
  readonly logExecutionData?: boolean;

  /**
   * Customer-managed key the controller's log groups (state machine and functions) are encrypted with. Its key policy
   * must allow CloudWatch Logs (`logs.<region>.amazonaws.com`); a key of this app gets that statement added.
   *
   * @default - CloudWatch Logs' own encryption
   */
  readonly logsEncryptionKey?: kms.IKey;

  /**
   * Place the controller's three functions in this VPC. They call AWS APIs only, so its subnets need a NAT gateway or
   * these VPC endpoints: interface endpoints for SageMaker API and Runtime, Step Functions, EventBridge, CloudWatch
   * (monitoring), ECR API, SNS (with a notification topic), KMS (with a key you give), and gateway endpoints for
   * DynamoDB and S3 (model data checksums, and the deploy's answer to CloudFormation, a presigned S3 URL).
   *
   * @default - outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` for the functions. Needs `vpc`.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the functions. Needs `vpc`.
   *
   * @default - one security group shared by the three functions, all outbound traffic allowed
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** An endpoint the controller serves: what its permissions are scoped to. */
export interface RolloutEndpointRegistration {
  /** The SageMaker endpoint name. */
  readonly endpointName: string;
  /**
   * Keys of the tags the controller puts on the endpoint's resources, besides the stack's and its own.
   *
   * @default - none
   */
  readonly tagKeys?: string[];
  /** The model execution role the controller passes to SageMaker. */
  readonly modelRole: iam.IRole;
  /**
   * Whether the role was created under the controller's `modelRolePath`, which PassRole already covers.
   *
   * @default false - the role is added to PassRole by its ARN
   */
  readonly modelRoleUnderPath?: boolean;
  /**
   * Topic the controller publishes rollout notifications to.
   *
   * @default - none
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Key SageMaker encrypts the endpoint's storage volumes (and data capture) with.
   *
   * @default - none
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The endpoint's serving slot is autoscaled: the step function registers, moves and deregisters scalable targets, and
   * the deploy function may delete an endpoint with registered variants.
   *
   * @default false
   */
  readonly autoScaling?: boolean;
}

const SERVICE_NAME = 'sagemaker-rollout';
/** Deliveries of one alarm event to the guard listener before it goes to the dead-letter queue. */
const ALARM_EVENT_RETRY_ATTEMPTS = 4;
/** An alarm event older than this is dropped to the dead-letter queue: by then polling has acted on the alarm. */
const ALARM_EVENT_MAX_AGE = Duration.minutes(15);
const DEFAULT_EVENT_BUS = 'default';

/**
 * The per-stack controller that runs rollouts for every `BlueGreenEndpoint` of the stack: a state table, a Standard
 * state machine, and three Lambdas (`step` runs every task of the state machine, `deploy` serves the endpoints'
 * custom resources, `guard-listener` reacts to guard alarms through an EventBridge rule).
 *
 * Use `RolloutController.of(scope)` to find or create it; endpoints do so themselves.
 */
export class RolloutController extends Construct implements ec2.IConnectable {
  /** The construct id of the controller under its stack. */
  public static readonly ID = 'SageMakerRolloutController';

  /**
   * The stack's controller, created on first use. Props apply only when it is created: passing props when it
   * already exists throws, so create it explicitly before the first endpoint when you need them.
   */
  public static of(scope: IConstruct, props?: RolloutControllerProps): RolloutController {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(RolloutController.ID);
    if (existing) {
      if (!RolloutController.isRolloutController(existing)) {
        throw new Error(`the construct '${existing.node.path}' uses the id '${RolloutController.ID}' reserved for the rollout controller: rename it`);
      }
      if (props) {
        throw new Error(`the rollout controller of stack '${stack.stackName}' already exists, so props cannot apply: `
          + 'call RolloutController.of(stack, props) before the first BlueGreenEndpoint is created');
      }
      return existing;
    }
    return new RolloutController(stack, RolloutController.ID, props);
  }

  /** Whether `x` is a RolloutController (works across copies of this library). */
  public static isRolloutController(x: any): x is RolloutController {
    return typeof x === 'object' && x !== null && CONTROLLER_SYMBOL in x;
  }

  /** State, versions, rollouts, approvals and the decision history of every endpoint. */
  public readonly table: dynamodb.Table;
  /** The rollout workflow. */
  public readonly stateMachine: sfn.StateMachine;
  /** Runs every task of the state machine. */
  public readonly stepFunction: lambda.IFunction;
  /** The service token of the endpoints' custom resources. */
  public readonly deployFunction: lambda.IFunction;
  /** Reacts to guard alarms going to ALARM. */
  public readonly guardListenerFunction: lambda.IFunction;
  /** Routes guard alarm state changes to the guard listener. */
  public readonly alarmRule: events.Rule;
  /**
   * Alarm events EventBridge could not deliver to the guard listener after its retries. A lost event delays the
   * rollback to the rollout's next guard check (polling), which records that it found the alarm itself.
   */
  public readonly alarmEventDeadLetterQueue: sqs.Queue;
  /**
   * What the name of every guard alarm the endpoints create starts with: `sagemaker-rollout-<key>-`, where the key is
   * 8 hex characters of the stack name. The alarm rule matches this one prefix however many endpoints there are.
   */
  public readonly alarmNamePrefix: string;
  /** The path of the model roles the endpoints create (`/sagemaker-rollout/<key>/`), which PassRole is scoped to. */
  public readonly modelRolePath: string;
  /**
   * The path of the exposure plans the endpoints with cohort exposure publish to Parameter Store
   * (`/sagemaker-rollout/<key>/`, then the endpoint's name): the controller may write under it, nowhere else.
   */
  public readonly exposurePlanPath: string;
  /**
   * The log groups of the step, deploy and guard-listener functions, where every decision the controller records is
   * also one structured line (message 'decision recorded'): what dashboards query with Logs Insights.
   */
  public readonly functionLogGroups: logs.ILogGroup[];

  /** One statement per function for every endpoint's own ARN: each endpoint adds its ARN, never a statement. */
  private readonly network?: { readonly vpc: ec2.IVpc; readonly vpcSubnets?: ec2.SubnetSelection; readonly securityGroups: ec2.ISecurityGroup[] };
  private readonly endpointStatements: Record<'step' | 'deploy' | 'guardListener' | 'stepTags' | 'deployTags', iam.PolicyStatement>;
  private readonly endpointTagKeys = new Set<string>();
  private readonly passRoleStatement: iam.PolicyStatement;

  private readonly alarms = new Set<cloudwatch.IAlarm>();
  private readonly endpointNames = new Set<string>();
  private readonly registeredRoles = new Set<iam.IRole>();
  private readonly registeredTopics = new Set<sns.ITopic>();
  private autoScalingGranted = false;
  private readonly modelPackageGroups = new Set<string>();

  constructor(scope: Construct, id: string, props: RolloutControllerProps = {}) {
    super(scope, id);
    Object.defineProperty(this, CONTROLLER_SYMBOL, { value: true });
    const stack = Stack.of(this);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const key = controllerKey(this);
    this.alarmNamePrefix = `sagemaker-rollout-${key}-`;
    this.modelRolePath = `/sagemaker-rollout/${key}/`;
    this.exposurePlanPath = `/sagemaker-rollout/${key}/`;
    const namePrefix = sageMakerNamePrefix(key);

    this.table = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: props.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy: tableRemovalPolicy(props.tableRemovalPolicy),
    });

    this.network = functionNetwork(this, props);

    const baseEnvironment = {
      TABLE_NAME: this.table.tableName,
      EVENT_BUS_NAME: DEFAULT_EVENT_BUS,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      SAGEMAKER_NAME_PREFIX: namePrefix,
    };
    const logKey = props.logsEncryptionKey;
    // CloudWatch Logs encrypts with the key in its own name ("Encrypt log data in CloudWatch Logs using AWS KMS").
    logKey?.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
    const logGroup = (id: string) => new logs.LogGroup(this, id, { retention, encryptionKey: logKey });
    const step = this.handler('Step', 'step', logGroup, Duration.minutes(5), baseEnvironment);
    this.stepFunction = step;

    const machineLogs = logGroup('StateMachineLogs');
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: rolloutDefinition(this, step),
      logs: { destination: machineLogs, level: props.stateMachineLogLevel ?? sfn.LogLevel.ERROR, includeExecutionData: props.logExecutionData ?? false },
      tracingEnabled: true,
      comment: 'SageMaker blue/green rollouts: provision, smoke-test, shift in steps guarded by alarms, promote or roll back',
    });
    if ((props.stateMachineLogLevel ?? sfn.LogLevel.ERROR) !== sfn.LogLevel.ALL) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF1',
        reason: 'every decision of a rollout is recorded with its evidence in the state table\'s history; the logs keep failures only, '
          + 'so execution data stays out of them (stateMachineLogLevel ALL logs every transition)',
      });
    }

    const withMachine = { ...baseEnvironment, STATE_MACHINE_ARN: this.stateMachine.stateMachineArn };
    const deploy = this.handler('Deploy', 'deploy', logGroup, Duration.minutes(5), withMachine);
    // The listener keeps pulling the fast lever through an update in progress before it hands over (FAST_LEVER_BUDGET_MS).
    const guardListener = this.handler('GuardListener', 'guard-listener', logGroup, Duration.seconds(GUARD_LISTENER_TIMEOUT_SECONDS), withMachine);
    this.deployFunction = deploy;
    this.guardListenerFunction = guardListener;
    this.functionLogGroups = [step.logGroup, deploy.logGroup, guardListener.logGroup];

    // Each function is granted what its bundle calls (test/lib/least-privilege.test.ts derives that from the bundles);
    // per-endpoint resources are added by registerEndpoint.
    const functions = [step, deploy, guardListener];
    // Every function reads the history (Query): the guard listener too, for an alarm on the stable after promotion.
    const tableActions = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
    for (const fn of functions) {
      this.table.grant(fn, ...tableActions);
      // A customer-managed table key: DynamoDB encrypts and decrypts with it in the caller's name.
      this.table.encryptionKey?.grantEncryptDecrypt(fn);
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: DEFAULT_EVENT_BUS })],
      }));
    }
    step.addToRolePolicy(new iam.PolicyStatement({
      // GetMetricData does not support resource-level permissions. DescribeAlarms returns composite alarms only to a
      // permission on "*" (DescribeAlarms API reference; aws-cdk PR #29171): a guard on a composite alarm would be
      // unreadable, and unknown holds the step; DescribeAlarmHistory likewise (its API reference), read so that a breach
      // between two guard checks is seen, once per check for every guard alarm: without an alarm name, which the
      // Service Authorization Reference's alarm resource cannot scope. It is read-only.
      actions: ['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
      resources: ['*'],
    }));
    step.addToRolePolicy(new iam.PolicyStatement({
      // Canary capacity: Provision reads the account's instance quota of the type ("<type> for endpoint usage") and
      // fails early when a rollout cannot fit. ListServiceQuotas has no resource types (Service Authorization Reference).
      actions: ['servicequotas:ListServiceQuotas'],
      resources: ['*'],
    }));
    deploy.addToRolePolicy(new iam.PolicyStatement({
      // List actions do not support resource-level permissions; names are filtered by the controller's prefix.
      actions: ['sagemaker:ListModels', 'sagemaker:ListEndpointConfigs'],
      resources: ['*'],
    }));
    const executions = this.executionArnPattern();
    for (const fn of [deploy, guardListener]) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }));
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StopExecution', 'states:DescribeExecution'], resources: [executions] }));
    }
    // The step function stops a superseded rollout and checks whether a lock holder still runs. In its default policy
    // this would be a cycle (machine -> function -> default policy -> machine), so it is a separate policy.
    const stepExecutions = new iam.Policy(this, 'StepExecutionsPolicy', {
      roles: [step.role!],
      statements: [new iam.PolicyStatement({ actions: ['states:StopExecution', 'states:DescribeExecution'], resources: [executions] })],
    });

    // SageMaker permissions of a constant size: Models and EndpointConfigs by the controller's name prefix, endpoints
    // by their exact ARNs in one statement per function, model roles by the path the endpoints create them under.
    const sageMaker = controllerResourceArns(stack, namePrefix);
    this.endpointStatements = {
      // AddTags: a new endpoint is created with its owner's tags (stack + logical id).
      step: new iam.PolicyStatement({
        actions: [
          'sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities',
          'sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:InvokeEndpoint',
        ],
      }),
      deploy: new iam.PolicyStatement({
        actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities', 'sagemaker:DeleteEndpoint', 'sagemaker:ListTags'],
      }),
      // Tag on create (SageMaker authorizes the Tags of a Create* call as sagemaker:AddTags on the new resource), with
      // the keys the controller writes only: the stack's, the endpoints', and its own.
      stepTags: new iam.PolicyStatement({
        actions: ['sagemaker:AddTags'],
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': Lazy.list({ produce: () => this.tagKeys(stack) }) } },
      }),
      // The owner tags tell which stack and resource own the endpoint; a rename moves them, a retain removes them.
      deployTags: new iam.PolicyStatement({
        actions: ['sagemaker:AddTags', 'sagemaker:DeleteTags'],
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': Object.values(OWNER_TAG) } },
      }),
      guardListener: new iam.PolicyStatement({ actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities'] }),
    };
    step.addToRolePolicy(this.endpointStatements.step);
    deploy.addToRolePolicy(this.endpointStatements.deploy);
    step.addToRolePolicy(this.endpointStatements.stepTags);
    deploy.addToRolePolicy(this.endpointStatements.deployTags);
    guardListener.addToRolePolicy(this.endpointStatements.guardListener);
    // Cohort exposure: every step publishes the endpoint's exposure plan, and every rollback path scrubs it, each read back.
    const exposurePlans = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${this.exposurePlanPath.slice(1)}*` });
    for (const fn of [step, deploy, guardListener]) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:PutParameter', 'ssm:GetParameter'], resources: [exposurePlans] }));
      acknowledgeWildcardResources(fn, [exposurePlans], 'the exposure plans of the endpoints are under the controller\'s own parameter path');
    }
    step.addToRolePolicy(new iam.PolicyStatement({
      // CreateEndpoint and UpdateEndpoint also authorize on the config they deploy.
      actions: ['sagemaker:CreateEndpointConfig', 'sagemaker:DescribeEndpointConfig', 'sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint'],
      resources: [sageMaker.endpointConfigs],
    }));
    step.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:CreateModel'], resources: [sageMaker.models] }));
    this.endpointStatements.stepTags.addResources(sageMaker.models, sageMaker.endpointConfigs);
    deploy.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:DeleteEndpointConfig'], resources: [sageMaker.endpointConfigs] }));
    deploy.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:DeleteModel'], resources: [sageMaker.models] }));
    for (const fn of [step, deploy]) {
      acknowledgeWildcardResources(fn, [sageMaker.endpointConfigs, sageMaker.models],
        'the controller names every model and endpoint config it creates with its own prefix, followed by the endpoint, and a version or '
        + 'rollout suffix only known at run time');
    }
    const modelRoles = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${this.modelRolePath.slice(1)}*` });
    this.passRoleStatement = new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [modelRoles],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    step.addToRolePolicy(this.passRoleStatement);
    acknowledgeWildcardResources(step, [modelRoles], 'the model roles the endpoints create are under the controller\'s own role path');

    // Alarms the endpoints create are named with the controller's prefix and matched by it, which keeps the pattern
    // within EventBridge's 2048-character limit however many endpoints and guards there are; alarms users bring are
    // listed by ARN (checkStackLimits measures them).
    this.alarmEventDeadLetterQueue = new sqs.Queue(this, 'AlarmEventDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.alarmEventDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is the dead-letter queue of the guard alarm rule\'s target (EventBridge), which cdk-nag does not recognize',
    });
    this.alarmRule = new events.Rule(this, 'GuardAlarmRule', {
      description: 'Guard alarms of SageMaker rollouts going to ALARM: roll back or revert at once',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: Lazy.list({
          produce: () => [
            Token.asString({ prefix: this.alarmArnOf(this.alarmNamePrefix) }),
            ...[...this.alarms].map((alarm) => alarm.alarmArn),
          ],
        }),
        detail: { state: { value: ['ALARM'] } },
      },
      targets: [new targets.LambdaFunction(guardListener, {
        // EventBridge retries a failed delivery with backoff for up to a day by default; an alarm event is worth
        // acting on for minutes, and polling finds the alarm at the rollout's next check anyway.
        retryAttempts: ALARM_EVENT_RETRY_ATTEMPTS,
        maxEventAge: ALARM_EVENT_MAX_AGE,
        deadLetterQueue: this.alarmEventDeadLetterQueue,
      })],
    });

    // Drills: the step function forces a candidate guard alarm to ALARM (the endpoints' alarms by the controller's
    // prefix, alarms users brought by ARN).
    const guardAlarms = this.alarmArnOf(`${this.alarmNamePrefix}*`);
    step.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:SetAlarmState'],
      resources: Lazy.list({ produce: () => [guardAlarms, ...[...this.alarms].map((alarm) => alarm.alarmArn)] }),
    }));
    acknowledgeWildcardResources(step, [guardAlarms], 'drills force one guard alarm of the endpoints, all named with the controller\'s prefix');

    // What the operator CLI needs (`cdk-sagemaker-rollout status --table ... --state-machine ...`). One controller
    // per stack, so fixed output names are unique.
    new CfnOutput(this, 'RolloutStateTableOutput', { value: this.table.tableName, description: 'state table of the SageMaker rollout controller (CLI --table)' })
      .overrideLogicalId('RolloutStateTable');
    new CfnOutput(this, 'RolloutStateMachineOutput', { value: this.stateMachine.stateMachineArn, description: 'rollout state machine (CLI --state-machine)' })
      .overrideLogicalId('RolloutStateMachine');

    this.node.addValidation({
      validate: () => (this.endpointNames.size === 0
        ? ['the rollout controller watches no guard alarms: it serves BlueGreenEndpoints, and each one registers its guards; '
          + 'create a BlueGreenEndpoint in this stack or remove the controller']
        : checkStackLimits(this, this.alarmRule, [step, deploy, guardListener], [...this.alarms])),
    });
    this.acknowledgeFindings(functions, executions, stepExecutions, props.encryptionKey);
  }

  /**
   * Scopes the controller's SageMaker, PassRole, SNS and KMS permissions to one more endpoint. Called by
   * `BlueGreenEndpoint`.
   */
  public registerEndpoint(registration: RolloutEndpointRegistration): void {
    if (!Token.isUnresolved(registration.endpointName) && this.endpointNames.has(registration.endpointName)) {
      throw new Error(`two BlueGreenEndpoints in stack '${Stack.of(this).stackName}' are named '${registration.endpointName}': `
        + 'one SageMaker endpoint can have one owner; give each endpoint its own endpointName');
    }
    this.endpointNames.add(registration.endpointName);
    const endpointArn = endpointArnOf(Stack.of(this), registration.endpointName);
    this.endpointStatements.step.addResources(endpointArn);
    this.endpointStatements.deploy.addResources(endpointArn);
    this.endpointStatements.guardListener.addResources(endpointArn);
    this.endpointStatements.stepTags.addResources(endpointArn);
    this.endpointStatements.deployTags.addResources(endpointArn);
    for (const key of registration.tagKeys ?? []) this.endpointTagKeys.add(key);
    // Roles the endpoints created are under the controller's role path; roles users brought are added by ARN.
    if (!registration.modelRoleUnderPath && !this.registeredRoles.has(registration.modelRole)) {
      this.registeredRoles.add(registration.modelRole);
      this.passRoleStatement.addResources(registration.modelRole.roleArn);
    }
    const topic = registration.notificationTopic;
    if (topic && !this.registeredTopics.has(topic)) {
      // Notifications are published by the rollout's tasks, and by the guard listener for a stable alarm after the
      // revert window (the `undo` command).
      this.registeredTopics.add(topic);
      topic.grantPublish(this.stepFunction);
      topic.grantPublish(this.guardListenerFunction);
    }
    // SageMaker creates grants on the key for the endpoint's volumes in the caller's name.
    registration.encryptionKey?.grant(this.stepFunction, 'kms:CreateGrant', 'kms:DescribeKey');
    if (registration.autoScaling === true && !this.autoScalingGranted) {
      this.autoScalingGranted = true;
      this.grantAutoScaling();
    }
  }

  /**
   * Application Auto Scaling for the endpoints that ask for it. Its actions take `*` (a scalable target's ARN carries an
   * id AWS generates: Service Authorization Reference). The first SageMaker target creates the service-linked role
   * AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint in the caller's name; deleting an endpoint deregisters its
   * targets only with DeregisterScalableTarget (SageMaker developer guide, "Delete endpoints configured for auto scaling").
   */
  private grantAutoScaling(): void {
    const targets = ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget', 'application-autoscaling:PutScalingPolicy'];
    this.stepFunction.addToRolePolicy(new iam.PolicyStatement({ actions: targets, resources: ['*'] }));
    this.stepFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint' })],
      conditions: { StringLike: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } },
    }));
    this.deployFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['application-autoscaling:DeregisterScalableTarget'], resources: ['*'] }));
  }

  /**
   * Model Registry trigger for one more group: an EventBridge rule routes the group's approvals ("SageMaker Model
   * Package State Change", ModelApprovalStatus Approved: SageMaker developer guide, "Events that Amazon SageMaker AI
   * sends to Amazon EventBridge") to the guard listener, which starts the rollout; the step function may create models
   * from the group's packages and set a rolled-back one to Rejected (UpdateModelPackage). Called by `BlueGreenEndpoint`.
   */
  public registerModelPackageGroup(modelPackageGroupName: string): void {
    if (this.modelPackageGroups.has(modelPackageGroupName)) return;
    this.modelPackageGroups.add(modelPackageGroupName);
    new events.Rule(this, `ModelRegistryApproval${this.modelPackageGroups.size}`, {
      description: `Model Registry approvals in ${modelPackageGroupName}: roll the approved package out`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: [modelPackageGroupName], ModelApprovalStatus: ['Approved'] },
      },
      targets: [new targets.LambdaFunction(this.guardListenerFunction, { retryAttempts: ALARM_EVENT_RETRY_ATTEMPTS, maxEventAge: ALARM_EVENT_MAX_AGE })],
    });
    // Versioned packages are `model-package/<group>/<version>` (SageMaker ARNs; unverified: whether IAM sees the group
    // name in the case it was created with, as given here).
    const packages = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${modelPackageGroupName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.stepFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'], resources: [packages] }));
    acknowledgeWildcardResources(this.stepFunction, [packages], 'the packages of the Model Registry group the endpoint follows: the registry chooses which one is rolled out');
  }

  /** Adds alarms, by ARN, to the EventBridge rule that routes ALARM state changes to the guard listener. */
  public registerGuardAlarms(alarms: cloudwatch.IAlarm[]): void {
    const added = alarms.filter((alarm) => !this.alarms.has(alarm));
    for (const alarm of added) {
      this.alarms.add(alarm);
    }
  }

  /**
   * Lets `grantee` record approval decisions (what the CLI's `approve`/`reject` write) and read rollout state.
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    // What `approve`/`reject` do: read the endpoint's state, put the decision (conditionally) and a history entry.
    const grant = this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem');
    if (this.table.encryptionKey) {
      this.table.encryptionKey.grantEncryptDecrypt(grantee);
      acknowledgeWildcardActions(grantee, KMS_GRANT_WILDCARD_ACTIONS, 'the state table is encrypted with the given key');
    }
    return grant;
  }

  /**
   * Lets `grantee` run the CLI's `rollback` and `abort` for every endpoint of this controller: read and write the
   * state table, and stop, start and describe rollout executions. Add `BlueGreenEndpoint.grantOperate` for the
   * SageMaker side of each endpoint.
   */
  public grantIntervene(grantee: iam.IGrantable): iam.Grant {
    const table = this.table.grantReadWriteData(grantee);
    const start = iam.Grant.addToPrincipal({ grantee, actions: ['states:StartExecution'], resourceArns: [this.stateMachine.stateMachineArn] });
    const executions = iam.Grant.addToPrincipal({
      grantee, actions: ['states:StopExecution', 'states:DescribeExecution'], resourceArns: [this.executionArnPattern()],
    });
    return table.combine(start).combine(executions);
  }

  /** Lets `grantee` read rollout state and history (what the CLI's `status` and `history` read). */
  public grantReadState(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadData(grantee);
  }

  /**
   * Rollout executions that failed (a task failed for good; traffic was returned to stable first).
   *
   * @deprecated A rollback execution succeeds, so this never counts rollbacks: use
   * `metricRollouts(RolloutOutcome.ROLLED_BACK)` (or `RolloutOutcome.FAILED` for what this counted).
   */
  public metricRolloutsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /**
   * Rollouts of every endpoint of this controller that ended with `outcome` (metric `Rollouts`, dimension `Outcome`,
   * published once per rollout when it ends). Sum over 5 minutes by default.
   */
  public metricRollouts(outcome: RolloutOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return rolloutMetric(METRIC_NAME.rollouts, 'Sum', { [METRIC_DIMENSION.outcome]: outcome.value }, props);
  }

  /** Alarm events that reached the dead-letter queue: the guard listener never acted on them (polling did). */
  public metricAlarmEventsLost(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.alarmEventDeadLetterQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Rollout executions that started. */
  public metricRolloutsStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricStarted(props);
  }

  private handler(
    id: string,
    bundle: HandlerBundle,
    logGroup: (id: string) => logs.ILogGroup,
    timeout: Duration,
    environment: { [key: string]: string },
  ): lambda.Function {
    return new lambda.Function(this, id, {
      // Bundled with esbuild when the package is built (minified, with a source map): synth needs neither esbuild
      // nor Docker, and the asset hash changes only when the code does.
      code: lambda.Code.fromAsset(handlerBundleDir(bundle)),
      handler: 'index.handler',
      // Pinned so that the bundle leaves out the AWS SDK v3 that the runtime provides.
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
      logGroup: logGroup(`${id}Logs`),
      ...this.network,
    });
  }

  /**
   * The security groups of the controller's functions in `vpc`, e.g. to let them reach an interface endpoint that does
   * not admit the whole VPC. Only a controller with `vpc` has them: without, this throws.
   */
  public get connections(): ec2.Connections {
    if (!this.network) {
      throw new Error(`the rollout controller ${this.node.path} has no security groups to manage: only a controller with vpc has `
        + '(RolloutController.of(stack, { vpc }) before the first endpoint)');
    }
    return new ec2.Connections({ securityGroups: this.network.securityGroups });
  }

  /** Every tag key the step function may write: its own, the stack's (known after Tags.of has run) and the endpoints'. */
  private tagKeys(stack: Stack): string[] {
    return [...new Set([...Object.values(OWNER_TAG), ENDPOINT_TAG, ...Object.keys(stack.tags.tagValues()), ...this.endpointTagKeys])];
  }

  private alarmArnOf(alarmName: string): string {
    return Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: alarmName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /** `arn:...:execution:<machine name>:*`, built from the machine ARN. */
  private executionArnPattern(): string {
    const machineName = Arn.split(this.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${machineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** cdk-nag findings that are deliberate, each with its reason, so every stack using the library inherits them. */
  private acknowledgeFindings(functions: lambda.IFunction[], executions: string, stepExecutions: iam.Policy, key?: kms.IKey): void {
    const basicExecution = iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole').managedPolicyArn;
    for (const fn of functions) {
      acknowledgeManagedPolicy(fn, basicExecution, 'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch Logs');
      if (this.network) {
        acknowledgeManagedPolicy(fn, iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole').managedPolicyArn,
          'AWSLambdaVPCAccessExecutionRole only lets Lambda manage the network interfaces of a function placed in the VPC');
      }
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason: `the runtime is pinned to ${lambda.Runtime.NODEJS_22_X.name} so that bundles leave out the AWS SDK v3 the runtime provides`,
      });
      acknowledgeWildcardResources(fn, ['*'],
        'cloudwatch:GetMetricData, sagemaker:ListModels and sagemaker:ListEndpointConfigs do not support '
        + 'resource-level permissions; cloudwatch:DescribeAlarms and DescribeAlarmHistory return composite alarms only when allowed on "*", '
        + 'and DescribeAlarmHistory is read once per guard check without an alarm name (every alarm\'s history, filtered in the controller)');
      acknowledgeWildcardResources(fn, [`${this.table.tableArn}/index/*`], 'DynamoDB grants cover the indexes of the state table');
      if (key) {
        acknowledgeWildcardActions(fn, KMS_GRANT_WILDCARD_ACTIONS, 'the state table is encrypted with the given key');
      }
    }
    for (const scope of [this.deployFunction, this.guardListenerFunction, stepExecutions]) {
      acknowledgeWildcardResources(scope, [executions], 'rollout executions get names at run time; the permission covers this state machine\'s only');
    }
    acknowledgeWildcardResources(this.stateMachine, ['*'],
      'CloudWatch Logs delivery and X-Ray tracing of the state machine do not support resource-level permissions');
    acknowledgeWildcardResources(this.stateMachine, [`${this.stepFunction.functionArn}:*`],
      'the state machine invokes the step function, including its versions');
  }
}

const CONTROLLER_SYMBOL = Symbol.for('cdk-sagemaker-rollout.RolloutController');

/** The state table's removal policy: CloudFormation keeps no snapshot of a DynamoDB table (DeletionPolicy Delete or Retain). */
function tableRemovalPolicy(policy: RemovalPolicy | undefined): RemovalPolicy {
  if (policy === RemovalPolicy.SNAPSHOT) {
    throw new Error('tableRemovalPolicy SNAPSHOT does not apply to a DynamoDB table, got SNAPSHOT: use RemovalPolicy.RETAIN (the default) or '
      + 'RemovalPolicy.DESTROY, and point-in-time recovery (on) for backups');
  }
  return policy ?? RemovalPolicy.RETAIN;
}

/** The functions' VPC placement, with one security group shared by the three when none is given. */
function functionNetwork(scope: Construct, props: RolloutControllerProps): RolloutController['network'] {
  if (!props.vpc) {
    for (const [name, value] of [['vpcSubnets', props.vpcSubnets], ['securityGroups', props.securityGroups]] as const) {
      if (value !== undefined) {
        throw new Error(`the controller's ${name} needs vpc: pass the VPC they belong to as vpc, or drop ${name}`);
      }
    }
    return undefined;
  }
  const securityGroups = props.securityGroups ?? [new ec2.SecurityGroup(scope, 'FunctionsSecurityGroup', {
    vpc: props.vpc,
    description: 'Functions of the SageMaker rollout controller (outbound calls to AWS APIs only)',
    allowAllOutbound: true,
  })];
  if (securityGroups.length === 0) {
    throw new Error('the controller\'s securityGroups is empty: pass at least one, or omit it for one created with the controller');
  }
  // Selected here so that a selection the VPC cannot satisfy is refused naming the prop (Lambda would select it later).
  selectSubnets(props.vpc, props.vpcSubnets, 'the controller\'s vpcSubnets');
  return { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups };
}
