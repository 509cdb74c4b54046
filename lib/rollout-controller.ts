import { Annotations, Arn, ArnFormat, CfnOutput, Duration, Lazy, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import {
  KMS_GRANT_WILDCARD_ACTIONS, acknowledgeManagedPolicy, acknowledgeWildcardActions, acknowledgeWildcardResources,
} from './private/nag';
import { GUARD_LISTENER_TIMEOUT_SECONDS } from '../lambda/core/fast-lever';
import { HandlerBundle, handlerBundleDir } from './private/bundles';
import { rolloutDefinition } from './private/rollout-definition';
import { endpointResourceArns } from './private/sagemaker-arns';

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
}

/** An endpoint the controller serves: what its permissions are scoped to. */
export interface RolloutEndpointRegistration {
  /** The SageMaker endpoint name. */
  readonly endpointName: string;
  /** The model execution role the controller passes to SageMaker. */
  readonly modelRole: iam.IRole;
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
}

const SERVICE_NAME = 'sagemaker-rollout';
const DEFAULT_EVENT_BUS = 'default';

/**
 * The per-stack controller that runs rollouts for every `BlueGreenEndpoint` of the stack: a state table, a Standard
 * state machine, and three Lambdas (`step` runs every task of the state machine, `deploy` serves the endpoints'
 * custom resources, `guard-listener` reacts to guard alarms through an EventBridge rule).
 *
 * Use `RolloutController.of(scope)` to find or create it; endpoints do so themselves.
 */
export class RolloutController extends Construct {
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

  private readonly alarms = new Set<cloudwatch.IAlarm>();
  private readonly alarmNamePrefixes = new Set<string>();
  private readonly endpointNames = new Set<string>();
  private readonly registeredRoles = new Set<iam.IRole>();
  private readonly registeredTopics = new Set<sns.ITopic>();

  constructor(scope: Construct, id: string, props: RolloutControllerProps = {}) {
    super(scope, id);
    Object.defineProperty(this, CONTROLLER_SYMBOL, { value: true });
    const stack = Stack.of(this);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.table = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: props.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    const baseEnvironment = {
      TABLE_NAME: this.table.tableName,
      EVENT_BUS_NAME: DEFAULT_EVENT_BUS,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    };
    const step = this.handler('Step', 'step', retention, Duration.minutes(5), baseEnvironment);
    this.stepFunction = step;

    const machineLogs = new logs.LogGroup(this, 'StateMachineLogs', { retention });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: rolloutDefinition(this, step),
      logs: { destination: machineLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      comment: 'SageMaker blue/green rollouts: provision, smoke-test, shift in steps guarded by alarms, promote or roll back',
    });

    const withMachine = { ...baseEnvironment, STATE_MACHINE_ARN: this.stateMachine.stateMachineArn };
    const deploy = this.handler('Deploy', 'deploy', retention, Duration.minutes(5), withMachine);
    // The listener keeps pulling the fast lever through an update in progress before it hands over (FAST_LEVER_BUDGET_MS).
    const guardListener = this.handler('GuardListener', 'guard-listener', retention, Duration.seconds(GUARD_LISTENER_TIMEOUT_SECONDS), withMachine);
    this.deployFunction = deploy;
    this.guardListenerFunction = guardListener;

    // Shared permissions; per-endpoint ones are added by registerEndpoint.
    const functions = [step, deploy, guardListener];
    for (const fn of functions) {
      this.table.grantReadWriteData(fn);
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: DEFAULT_EVENT_BUS })],
      }));
    }
    for (const fn of [step, guardListener]) {
      fn.addToRolePolicy(new iam.PolicyStatement({
        // GetMetricData does not support resource-level permissions. DescribeAlarms returns composite alarms only to a
        // permission on "*" (DescribeAlarms API reference; aws-cdk PR #29171): a guard on a composite alarm would be
        // unreadable, and unknown holds the step. It is read-only.
        actions: ['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms'],
        resources: ['*'],
      }));
    }
    for (const fn of [step, deploy]) {
      fn.addToRolePolicy(new iam.PolicyStatement({
        // List actions do not support resource-level permissions; names are filtered by the endpoint's prefix.
        actions: ['sagemaker:ListModels', 'sagemaker:ListEndpointConfigs'],
        resources: ['*'],
      }));
    }
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

    // Alarms the endpoints create are named with a per-endpoint prefix and matched by it, which keeps the pattern
    // within EventBridge's 2048-character limit however many guards there are; alarms users bring are listed by ARN.
    this.alarmRule = new events.Rule(this, 'GuardAlarmRule', {
      description: 'Guard alarms of SageMaker rollouts going to ALARM: roll back or revert at once',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: Lazy.list({
          produce: () => [
            ...[...this.alarmNamePrefixes].map((prefix) => Token.asString(Lazy.any({ produce: () => ({ prefix: this.alarmArnOf(prefix) }) }))),
            ...[...this.alarms].map((alarm) => alarm.alarmArn),
          ],
        }),
        detail: { state: { value: ['ALARM'] } },
      },
      targets: [new targets.LambdaFunction(guardListener)],
    });

    // What the operator CLI needs (`cdk-sagemaker-rollout status --table ... --state-machine ...`). One controller
    // per stack, so fixed output names are unique.
    new CfnOutput(this, 'RolloutStateTableOutput', { value: this.table.tableName, description: 'state table of the SageMaker rollout controller (CLI --table)' })
      .overrideLogicalId('RolloutStateTable');
    new CfnOutput(this, 'RolloutStateMachineOutput', { value: this.stateMachine.stateMachineArn, description: 'rollout state machine (CLI --state-machine)' })
      .overrideLogicalId('RolloutStateMachine');

    this.node.addValidation({
      validate: () => (this.alarms.size === 0 && this.alarmNamePrefixes.size === 0
        ? ['the rollout controller watches no guard alarms: it serves BlueGreenEndpoints, and each one registers its guards; '
          + 'create a BlueGreenEndpoint in this stack or remove the controller']
        : []),
    });
    this.acknowledgeFindings(functions, executions, stepExecutions, props.encryptionKey);
  }

  /**
   * Scopes the controller's SageMaker, PassRole, SNS and KMS permissions to one more endpoint. Called by
   * `BlueGreenEndpoint`.
   */
  public registerEndpoint(registration: RolloutEndpointRegistration): void {
    const arns = endpointResourceArns(Stack.of(this), registration.endpointName);
    if (!arns.scoped) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-rollout:unscopedEndpointName',
        'an endpoint name is a token, so the controller\'s SageMaker model and endpoint config permissions cover every model and config '
        + 'of the account and region: give the endpoint a literal name to scope them');
    }
    if (!Token.isUnresolved(registration.endpointName) && this.endpointNames.has(registration.endpointName)) {
      throw new Error(`two BlueGreenEndpoints in stack '${Stack.of(this).stackName}' are named '${registration.endpointName}': `
        + 'one SageMaker endpoint can have one owner; give each endpoint its own endpointName');
    }
    this.endpointNames.add(registration.endpointName);
    this.stepFunction.addToRolePolicy(new iam.PolicyStatement({
      // AddTags: a new endpoint is created with its owner's tags (stack + logical id).
      actions: [
        'sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities',
        'sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:InvokeEndpoint', 'sagemaker:AddTags',
      ],
      resources: [arns.endpoint],
    }));
    this.stepFunction.addToRolePolicy(new iam.PolicyStatement({
      // CreateEndpoint and UpdateEndpoint also authorize on the config they deploy.
      actions: [
        'sagemaker:CreateEndpointConfig', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DeleteEndpointConfig',
        'sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint',
      ],
      resources: [arns.endpointConfigs],
    }));
    this.stepFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:DeleteModel'],
      resources: [arns.models],
    }));
    this.deployFunction.addToRolePolicy(new iam.PolicyStatement({
      // The owner tags tell which stack and resource own the endpoint; a rename moves them, a retain removes them.
      actions: [
        'sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities', 'sagemaker:DeleteEndpoint',
        'sagemaker:ListTags', 'sagemaker:AddTags', 'sagemaker:DeleteTags',
      ],
      resources: [arns.endpoint],
    }));
    this.deployFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpointConfig', 'sagemaker:DeleteEndpointConfig'],
      resources: [arns.endpointConfigs],
    }));
    this.deployFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DeleteModel'],
      resources: [arns.models],
    }));
    this.guardListenerFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities'],
      resources: [arns.endpoint],
    }));
    for (const fn of [this.stepFunction, this.deployFunction]) {
      acknowledgeWildcardResources(fn, [arns.endpointConfigs, arns.models],
        `the controller names the models and endpoint configs of endpoint ${registration.endpointName} after it, with a version or `
        + 'rollout suffix only known at run time');
    }
    if (!this.registeredRoles.has(registration.modelRole)) {
      this.registeredRoles.add(registration.modelRole);
      this.stepFunction.addToRolePolicy(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [registration.modelRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }));
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
  }

  /** Adds alarms, by ARN, to the EventBridge rule that routes ALARM state changes to the guard listener. */
  public registerGuardAlarms(alarms: cloudwatch.IAlarm[]): void {
    const added = alarms.filter((alarm) => !this.alarms.has(alarm));
    for (const alarm of added) {
      this.alarms.add(alarm);
    }
  }

  /** Routes every alarm whose name starts with `alarmNamePrefix` (in this account and region) to the guard listener. */
  public registerGuardAlarmNamePrefix(alarmNamePrefix: string): void {
    if (this.alarmNamePrefixes.has(alarmNamePrefix)) return;
    this.alarmNamePrefixes.add(alarmNamePrefix);
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

  /** Rollout executions that failed (a task failed for good; traffic was returned to stable first). */
  public metricRolloutsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** Rollout executions that started. */
  public metricRolloutsStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricStarted(props);
  }

  private handler(
    id: string,
    bundle: HandlerBundle,
    retention: logs.RetentionDays,
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
      logGroup: new logs.LogGroup(this, `${id}Logs`, { retention }),
    });
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
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason: `the runtime is pinned to ${lambda.Runtime.NODEJS_22_X.name} so that bundles leave out the AWS SDK v3 the runtime provides`,
      });
      acknowledgeWildcardResources(fn, ['*'],
        'cloudwatch:GetMetricData, sagemaker:ListModels and sagemaker:ListEndpointConfigs do not support '
        + 'resource-level permissions; cloudwatch:DescribeAlarms returns composite alarms only when allowed on "*"');
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
