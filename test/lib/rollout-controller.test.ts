import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { BlueGreenEndpoint, Guard, RolloutController, Slot } from '../../lib';
import { FAST_LEVER_BUDGET_MS } from '../../lambda/core/fast-lever';
import { ecrVersion, renderWithLongestPartition, testApp, testStack } from './fixtures';

interface Statement { Action: string | string[]; Resource: unknown; Condition?: unknown }

function twoEndpoints(extend: (stack: Stack, a: BlueGreenEndpoint) => void = () => undefined) {
  const stack = testStack();
  const a = new BlueGreenEndpoint(stack, 'A', {
    modelVersion: ecrVersion(stack, 'RepoA'),
    endpointName: 'Fraud-Scoring',
    notificationTopic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:123456789012:ops'),
  });
  const b = new BlueGreenEndpoint(stack, 'B', { modelVersion: ecrVersion(stack, 'RepoB'), endpointName: 'recommender' });
  extend(stack, a);
  return { stack, template: Template.fromStack(stack), a, b };
}

function statementsOf(template: Template, functionIdPrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`SageMakerRolloutController${functionIdPrefix}ServiceRole`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...parts]] });

describe('RolloutController', () => {
  test('one controller serves every endpoint of the stack', () => {
    const { stack, template, a, b } = twoEndpoints();
    expect(a.controller).toBe(b.controller);
    expect(RolloutController.of(stack)).toBe(a.controller);
    expect(a.controller.node.path).toBe('TestStack/SageMakerRolloutController');
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  // Found by the prop fuzzer: SNAPSHOT reached the table's DeletionPolicy, which CloudFormation's schema refuses at synth.
  test('tableRemovalPolicy SNAPSHOT is refused naming the prop and the fix (a DynamoDB table has no snapshot policy)', () => {
    expect(() => RolloutController.of(testStack(), { tableRemovalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(/tableRemovalPolicy SNAPSHOT does not apply to a DynamoDB table, got SNAPSHOT: use RemovalPolicy.RETAIN \(the default\) or RemovalPolicy.DESTROY/);
  });

  test('a controller in another stack is another controller', () => {
    const stack = testStack();
    const other = new Stack(stack.node.root as any, 'Other');
    expect(RolloutController.of(stack)).not.toBe(RolloutController.of(other));
  });

  test('table: pk/sk strings, on demand, point-in-time recovery, AWS-managed encryption, retained', () => {
    const { template } = twoEndpoints();
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('a customer key encrypts the table', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'TableKey');
    RolloutController.of(stack, { encryptionKey: key });
    new BlueGreenEndpoint(stack, 'A', { modelVersion: ecrVersion(stack) });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TableKey'), 'Arn'] } },
    });
  });

  test('three Node.js 22 functions with the environment each needs', () => {
    const { template } = twoEndpoints();
    const functions = template.findResources('AWS::Lambda::Function');
    const byId = (prefix: string) => Object.entries(functions).find(([id]) => id.startsWith(`SageMakerRolloutController${prefix}`))![1];
    for (const prefix of ['Step', 'Deploy', 'GuardListener']) {
      const fn = byId(prefix);
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Environment.Variables).toMatchObject({
        TABLE_NAME: { Ref: expect.stringMatching(/StateTable/) },
        EVENT_BUS_NAME: 'default',
        POWERTOOLS_SERVICE_NAME: 'sagemaker-rollout',
      });
    }
    expect(byId('Step').Properties.Environment.Variables.STATE_MACHINE_ARN).toBeUndefined();
    expect(byId('Deploy').Properties.Environment.Variables.STATE_MACHINE_ARN).toEqual({ Ref: expect.stringMatching(/StateMachine/) });
    expect(byId('GuardListener').Properties.Environment.Variables.STATE_MACHINE_ARN).toEqual({ Ref: expect.stringMatching(/StateMachine/) });
  });

  test('the guard listener may keep pulling the fast lever for its whole budget, with time left to hand over', () => {
    const { template } = twoEndpoints();
    const functions = template.findResources('AWS::Lambda::Function');
    const listener = Object.entries(functions).find(([id]) => id.startsWith('SageMakerRolloutControllerGuardListener'))![1];
    expect(listener.Properties.Timeout * 1000).toBeGreaterThanOrEqual(FAST_LEVER_BUDGET_MS + 30_000);
  });

  test('the state machine is Standard, traces with X-Ray, and by default logs errors without execution data', () => {
    const { template } = twoEndpoints();
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ERROR', IncludeExecutionData: false }),
      TracingConfiguration: { Enabled: true },
    });
  });

  test('log level, execution data and a logs key are options; the key encrypts every controller log group and allows CloudWatch Logs', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'LogsKey');
    RolloutController.of(stack, { stateMachineLogLevel: sfn.LogLevel.ALL, logExecutionData: true, logsEncryptionKey: key });
    new BlueGreenEndpoint(stack, 'A', { modelVersion: ecrVersion(stack), endpointName: 'a' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(4);
    for (const group of groups) expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logs.us-east-1.amazonaws.com' } })]) },
    });
  });

  test('the alarm rule\'s target retries briefly and sends what it cannot deliver to an encrypted dead-letter queue', () => {
    const { template, a } = twoEndpoints();
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    expect(rule.Properties.Targets[0]).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 900 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/AlarmEventDeadLetterQueue/), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    expect(a.controller.metricAlarmEventsLost().metricName).toBe('ApproximateNumberOfMessagesVisible');
  });

  test('the rule matches ALARM state changes of every guard alarm of the stack and targets the guard listener', () => {
    const { template, a, b } = twoEndpoints();
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    expect(rule.Properties.EventPattern).toMatchObject({
      'source': ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      'detail': { state: { value: ['ALARM'] } },
    });
    // One prefix per controller covers every guard alarm of every endpoint, which are named after it.
    const alarmArn = (name: string) => join(`:cloudwatch:us-east-1:123456789012:alarm:${name}`);
    expect(a.controller.alarmNamePrefix).toMatch(/^sagemaker-rollout-[0-9a-f]{8}-$/);
    expect(rule.Properties.EventPattern.resources).toEqual([{ prefix: alarmArn(a.controller.alarmNamePrefix) }]);
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties.AlarmName).sort();
    expect(names).toEqual([a, b].flatMap((endpoint) => ['error-rate', 'latency-p99'].flatMap((guard) =>
      [Slot.BLUE, Slot.GREEN].map((slot) => `${a.controller.alarmNamePrefix}${endpoint.endpointName}-${guard}-${slot}`))).sort());
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/GuardListener/), 'Arn'] } })]);
  });

  test('the pattern of the rule stays within the 2048 characters EventBridge allows, with many endpoints', () => {
    const stack = testStack();
    for (let i = 0; i < 15; i++) {
      new BlueGreenEndpoint(stack, `E${i}`, {
        modelVersion: ecrVersion(stack, `Repo${i}`),
        endpointName: `endpoint-with-a-long-descriptive-name-${i}`,
        guards: [Guard.errorRate(), Guard.latency(), Guard.comparison()],
      });
    }
    const rule = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))[0];
    expect(rule.Properties.EventPattern.resources).toHaveLength(1);
    expect(JSON.stringify(renderWithLongestPartition(rule.Properties.EventPattern)).length).toBeLessThan(2048);
  });

  test('alarms users bring are routed by ARN, once', () => {
    const stack = testStack();
    const kpi = cloudwatch.Alarm.fromAlarmArn(stack, 'Kpi', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:kpi');
    for (const id of ['A', 'B']) {
      new BlueGreenEndpoint(stack, id, { modelVersion: ecrVersion(stack, `Repo${id}`), endpointName: `ep-${id.toLowerCase()}`, guards: [Guard.alarm(kpi)] });
    }
    const rule = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))[0];
    const resources = rule.Properties.EventPattern.resources as unknown[];
    expect(resources.filter((r) => r === 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:kpi')).toHaveLength(1);
    expect(resources).toHaveLength(2);
  });

  test('no IAM statement grants a "*" action', () => {
    const { template } = twoEndpoints();
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::Role']) {
      for (const resource of Object.values(template.findResources(type))) {
        const documents = type === 'AWS::IAM::Policy'
          ? [resource.Properties.PolicyDocument]
          : (resource.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument);
        for (const document of documents) {
          for (const statement of document.Statement as Statement[]) {
            for (const action of actionsOf(statement)) {
              expect(action).not.toBe('*');
              expect(action).not.toMatch(/^[a-z0-9-]+:\*$/);
            }
          }
        }
      }
    }
  });

  test('SageMaker statements are scoped to the stack\'s endpoints (exact, lower-case ARNs) and the controller\'s name prefix', () => {
    const { template } = twoEndpoints();
    const env = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables.SAGEMAKER_NAME_PREFIX;
    expect(env).toMatch(/^r[0-9a-f]{8}-$/);
    const allowed = [
      join(':sagemaker:us-east-1:123456789012:endpoint/fraud-scoring'),
      join(':sagemaker:us-east-1:123456789012:endpoint/recommender'),
      join(`:sagemaker:us-east-1:123456789012:endpoint-config/${env}*`),
      join(`:sagemaker:us-east-1:123456789012:model/${env}*`),
    ];
    let scoped = 0;
    for (const fn of ['Step', 'Deploy', 'GuardListener']) {
      for (const statement of statementsOf(template, fn)) {
        const sagemaker = actionsOf(statement).filter((a) => a.startsWith('sagemaker:'));
        if (sagemaker.length === 0) continue;
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        if (sagemaker.every((a) => a.startsWith('sagemaker:List'))) {
          // List actions have no resource-level permissions.
          expect(resources).toEqual(['*']);
          continue;
        }
        for (const resource of resources) {
          expect(allowed).toContainEqual(resource);
          scoped++;
        }
      }
    }
    expect(scoped).toBe(16);
    const step = statementsOf(template, 'Step');
    const invoke = step.find((s) => actionsOf(s).includes('sagemaker:UpdateEndpointWeightsAndCapacities'));
    expect(invoke).toBeDefined();
  });

  test('PassRole is limited to the model roles under the controller\'s path, and roles users bring by ARN, passed to SageMaker', () => {
    const { stack, template, a } = twoEndpoints((s) => {
      new BlueGreenEndpoint(s, 'C', { modelVersion: ecrVersion(s, 'RepoC'), endpointName: 'own-role', role: iam.Role.fromRoleName(s, 'Own', 'own-model-role') });
    });
    expect(a.controller.modelRolePath).toMatch(/^\/sagemaker-rollout\/[0-9a-f]{8}\/$/);
    template.hasResourceProperties('AWS::IAM::Role', { Path: a.controller.modelRolePath });
    const passRole = statementsOf(template, 'Step').filter((s) => actionsOf(s).includes('iam:PassRole'));
    const roles = passRole.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(roles).toEqual([join(`:iam::123456789012:role${a.controller.modelRolePath}*`), stack.resolve(iam.Role.fromRoleName(stack, 'Again', 'own-model-role').roleArn)]);
    for (const s of passRole) {
      expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    }
    for (const fn of ['Deploy', 'GuardListener']) {
      expect(statementsOf(template, fn).some((s) => actionsOf(s).includes('iam:PassRole'))).toBe(false);
    }
  });

  test('execution permissions: start on the machine, stop/describe on its executions; the step function through a separate policy', () => {
    const { template } = twoEndpoints();
    const executions = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:123456789012:execution:',
        { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: expect.stringMatching(/StateMachine/) }] }] }, ':*']],
    };
    for (const fn of ['Deploy', 'GuardListener']) {
      const statements = statementsOf(template, fn);
      expect(statements).toContainEqual(expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: expect.stringMatching(/StateMachine/) } }));
      expect(statements).toContainEqual(expect.objectContaining({ Action: ['states:StopExecution', 'states:DescribeExecution'], Resource: executions }));
    }
    const stepPolicies = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes('SageMakerRolloutControllerStepServiceRole'));
    const separate = stepPolicies.filter(([id]) => id.includes('StepExecutionsPolicy'));
    expect(separate).toHaveLength(1);
    expect(separate[0][1].Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: ['states:StopExecution', 'states:DescribeExecution'], Resource: executions }),
    ]);
    // The step function's own policies never mention the state machine (that would be a cycle).
    for (const [id, policy] of stepPolicies) {
      if (id.includes('StepExecutionsPolicy')) continue;
      expect(JSON.stringify(policy)).not.toMatch(/StateMachine[0-9A-F]{8}/);
    }
  });

  test('GetMetricData and DescribeAlarms need resource "*", and SNS publish to the topic', () => {
    const { template } = twoEndpoints();
    const step = statementsOf(template, 'Step');
    expect(step).toContainEqual(expect.objectContaining({ Action: ['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'], Resource: '*' }));
    expect(step).toContainEqual(expect.objectContaining({ Action: 'sns:Publish', Resource: 'arn:aws:sns:us-east-1:123456789012:ops' }));
    // The guard listener notifies a stable alarm after the revert window (with the undo command); the deploy never publishes.
    expect(statementsOf(template, 'GuardListener')).toContainEqual(expect.objectContaining({ Action: 'sns:Publish', Resource: 'arn:aws:sns:us-east-1:123456789012:ops' }));
    expect(statementsOf(template, 'Deploy').some((s) => actionsOf(s).includes('sns:Publish'))).toBe(false);
    expect(step).toContainEqual(expect.objectContaining({
      Action: 'events:PutEvents', Resource: join(':events:us-east-1:123456789012:event-bus/default'),
    }));
  });

  test('a composite alarm brought as a guard is readable: DescribeAlarms is allowed on "*", once, for the step function (the only reader)', () => {
    // AWS returns composite alarms only to a cloudwatch:DescribeAlarms permission scoped to "*" (DescribeAlarms API
    // reference); an ARN-scoped grant leaves the guard unreadable, and unknown holds every rollout to its deadline.
    const stack = testStack();
    const metricAlarm = (id: string) => new cloudwatch.Alarm(stack, id, {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: id }), threshold: 1, evaluationPeriods: 1,
    });
    const composite = new cloudwatch.CompositeAlarm(stack, 'Checkout', {
      alarmRule: cloudwatch.AlarmRule.anyOf(metricAlarm('Orders'), metricAlarm('Payments')),
    });
    new BlueGreenEndpoint(stack, 'A', { modelVersion: ecrVersion(stack, 'RepoA'), endpointName: 'shop', guards: [Guard.alarm(composite)] });
    const template = Template.fromStack(stack);
    const describe = statementsOf(template, 'Step').filter((st) => actionsOf(st).includes('cloudwatch:DescribeAlarms'));
    expect(describe.map((st) => st.Resource)).toEqual(['*']);
    for (const fn of ['Deploy', 'GuardListener']) {
      expect(statementsOf(template, fn).some((st) => actionsOf(st).includes('cloudwatch:DescribeAlarms'))).toBe(false);
    }
  });

  test('image pinning is scoped to the endpoints\' repositories, for the deploy provider only', () => {
    const { template } = twoEndpoints();
    expect(statementsOf(template, 'Step').some((s) => actionsOf(s).includes('ecr:DescribeImages'))).toBe(false);
    for (const fn of ['Deploy']) {
      const describe = statementsOf(template, fn).filter((s) => actionsOf(s).includes('ecr:DescribeImages'));
      expect(describe.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))).toEqual([
        join(':ecr:us-east-1:123456789012:repository/my-model'),
      ]);
    }
  });

  test('grantApprove lets the CLI record decisions and read state', () => {
    const { template, a } = twoEndpoints((stack, endpoint) => {
      endpoint.controller.grantApprove(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Operator') }],
      PolicyDocument: { Statement: [Match.objectLike({
        Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
      })] },
    });
    expect(a.controller.metricRolloutsFailed().metricName).toBe('ExecutionsFailed');
  });

  test('fails when two endpoints of a stack share an endpoint name', () => {
    expect(() => twoEndpoints((stack) => {
      new BlueGreenEndpoint(stack, 'Again', { modelVersion: ecrVersion(stack, 'RepoC'), endpointName: 'recommender' });
    })).toThrow(/two BlueGreenEndpoints in stack '.*' are named 'recommender': .* give each endpoint its own endpointName/);
  });

  test('owner tags: the deploy provider reads and moves them, the step function creates an endpoint with them, on that endpoint only', () => {
    const { template } = twoEndpoints();
    const endpoint = join(':sagemaker:us-east-1:123456789012:endpoint/recommender');
    const onEndpoint = (fn: string) => statementsOf(template, fn)
      .filter((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]).some((r) => JSON.stringify(r) === JSON.stringify(endpoint))).flatMap(actionsOf);
    expect(onEndpoint('Deploy')).toEqual(expect.arrayContaining(['sagemaker:ListTags', 'sagemaker:AddTags', 'sagemaker:DeleteTags']));
    expect(onEndpoint('Step')).toContain('sagemaker:AddTags');
    const tagActions = (fn: string) => statementsOf(template, fn).filter((st) => actionsOf(st).some((a) => /Tags$/.test(a)));
    expect(tagActions('Deploy').every((st) => JSON.stringify(st.Resource).includes(':endpoint/'))).toBe(true);
  });

  test('fails at synth when two stacks of one app declare the same endpoint name in one environment', () => {
    const app = testApp();
    const env = { account: '123456789012', region: 'us-east-1' };
    for (const name of ['ScoringA', 'ScoringB']) {
      const stack = new Stack(app, name, { env });
      new BlueGreenEndpoint(stack, 'Endpoint', { modelVersion: ecrVersion(stack), endpointName: 'fraud-scoring' });
    }
    expect(() => app.synth()).toThrow(/endpoint name 'fraud-scoring' is also declared by ScoringB\/Endpoint in stack 'ScoringB' \(both in 123456789012\/us-east-1\).*give each BlueGreenEndpoint its own endpointName/);
  });

  test('two stacks may reuse an endpoint name in other regions; environment-agnostic stacks may not', () => {
    const apart = testApp();
    for (const [name, region] of [['East', 'us-east-1'], ['West', 'us-west-2']]) {
      const stack = new Stack(apart, name, { env: { account: '123456789012', region } });
      new BlueGreenEndpoint(stack, 'Endpoint', { modelVersion: ecrVersion(stack), endpointName: 'fraud-scoring' });
    }
    expect(() => apart.synth()).not.toThrow();
    const agnostic = testApp();
    for (const name of ['One', 'Two']) {
      const stack = new Stack(agnostic, name);
      new BlueGreenEndpoint(stack, 'Endpoint', { modelVersion: ecrVersion(stack), endpointName: 'fraud-scoring' });
    }
    expect(() => agnostic.synth()).toThrow(/both stacks are environment-agnostic/);
  });

  test('grantOperate lets an on-call role approve, roll back and abort one endpoint, and nothing else in SageMaker', () => {
    const { template } = twoEndpoints((stack, endpoint) => {
      endpoint.grantOperate(new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() }));
    });
    const statements = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('OnCall') }] } });
    const all = Object.values(statements).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const sagemaker = all.filter((st: any) => JSON.stringify(st.Action).includes('sagemaker:'));
    expect(sagemaker).toHaveLength(1);
    expect(sagemaker[0].Action).toEqual(['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities']);
    expect(JSON.stringify(sagemaker[0].Resource)).toMatch(/:endpoint\/fraud-scoring"/);
    expect(JSON.stringify(all)).toContain('states:StartExecution');
    expect(JSON.stringify(all)).toContain('states:StopExecution');
  });

  test('fails when a controller has no endpoint', () => {
    const stack = testStack();
    RolloutController.of(stack);
    expect(() => Template.fromStack(stack)).toThrow(/watches no guard alarms/);
  });
});

describe('operator CLI support', () => {
  test('the stack outputs the state table and state machine the CLI needs', () => {
    const { stack } = twoEndpoints();
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(outputs.RolloutStateTable.Value).toEqual({ Ref: expect.stringMatching(/^SageMakerRolloutControllerStateTable/) });
    expect(outputs.RolloutStateMachine.Value).toEqual({ Ref: expect.stringMatching(/^SageMakerRolloutControllerStateMachine/) });
  });
});
