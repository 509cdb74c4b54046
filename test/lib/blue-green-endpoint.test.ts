import { Duration, Lazy, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  Approval, BlueGreenEndpoint, BlueGreenEndpointProps, ConcurrencyPolicy, Guard, ModelData, RolloutController, RolloutStrategy, Slot,
} from '../../lib';
import { ecrVersion, specOf, testStack } from './fixtures';

function endpoint(props: Partial<BlueGreenEndpointProps> = {}, stack: Stack = testStack()): BlueGreenEndpoint {
  return new BlueGreenEndpoint(stack, 'Endpoint', { modelVersion: ecrVersion(stack), endpointName: 'fraud', ...props });
}

function topic(stack: Stack): sns.ITopic {
  return sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:123456789012:ops');
}

describe('BlueGreenEndpoint', () => {
  test('autoUndo reaches the spec only when set, and undoModelData keeps the old model data readable by the model role and the controller', () => {
    expect(specOf(endpoint())).not.toHaveProperty('autoUndo');
    const stack = testStack();
    const ep = endpoint({ autoUndo: true, undoModelData: [ModelData.fromS3Uri('s3://old-models/fraud/v41/model.tar.gz')] }, stack);
    expect(specOf(ep).autoUndo).toBe(true);
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    // Once for the model role and once for the step function, whose RegisterVersion verifies it again on an undo
    // (least privilege: the deploy function never reads an undo version's model data).
    expect(policies.split('old-models/fraud/v41/model.tar.gz').length - 1).toBe(2);
  });

  test('the judge\'s error budget: 1% false rollbacks per rollout and 5% per advance by default, set in percent, validated', () => {
    expect(specOf(endpoint()).plan.judge).toEqual({ falseRollbackRate: 0.01, advanceErrorRate: 0.05 });
    expect(specOf(endpoint({ falseRollbackPercent: 0.1, advanceErrorPercent: 10 })).plan.judge).toEqual({ falseRollbackRate: 0.001, advanceErrorRate: 0.1 });
    expect(() => endpoint({ falseRollbackPercent: 0 })).toThrow('falseRollbackPercent must be a percentage in (0, 50), got 0: e.g. 1 for at most one false rollback in 100 rollouts');
    expect(() => endpoint({ advanceErrorPercent: 50 })).toThrow('advanceErrorPercent must be a percentage in (0, 50), got 50');
    expect(() => endpoint({ falseRollbackPercent: Lazy.number({ produce: () => 1 }) })).toThrow(/falseRollbackPercent must be a percentage/);
  });

  test('renders the EndpointSpec of the contract in one custom resource', () => {
    const ep = endpoint({ rolloutAttempt: 2 });
    const spec = specOf(ep);
    expect(spec).toMatchObject({
      endpointName: 'fraud',
      version: {
        environment: {},
        instanceType: 'ml.m5.large',
        initialInstanceCount: 1,
      },
      plan: {
        steps: [
          { percent: 5, bakeSeconds: 60, minInvocations: 1, deadlineSeconds: 3600 },
          { percent: 25, bakeSeconds: 60, minInvocations: 1, deadlineSeconds: 3600 },
          { percent: 100, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 3600 },
        ],
        checkIntervalSeconds: 30,
        provisionPollSeconds: 30,
        provisionTimeoutSeconds: 1800,
        revertWindowSeconds: 1800,
        concurrency: 'supersede',
      },
      eventBusName: 'default',
      rolloutAttempt: 2,
      waitForRollout: false,
      retainOnDelete: false,
    });
    expect(spec.version.image).toMatch(/@sha256:(ab){32}$/);
    expect(spec.version.executionRoleArn).toContain('EndpointModelRole');
    expect(spec.plan.approval).toBeUndefined();
    expect(spec.smokeTest).toBeUndefined();
    expect(spec.metricPublishFrequencySeconds).toBeUndefined();
    expect(spec.guards.map((g) => g.name)).toEqual(['error-rate', 'latency-p99']);
    for (const guard of spec.guards) {
      expect(guard.blue).toHaveLength(1);
      expect(guard.green).toHaveLength(1);
      expect(guard.blue[0]).not.toEqual(guard.green[0]);
    }
    Template.fromStack(Stack.of(ep)).hasResource('Custom::SageMakerRolloutEndpoint', {
      Properties: { ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('SageMakerRolloutControllerDeploy'), 'Arn'] }, ServiceTimeout: '1950' },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('SageMakerRolloutControllerStateMachine')]),
    });
  });

  test('renders every option', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Capture');
    const key = new kms.Key(stack, 'Key');
    const ep = endpoint({
      instanceType: 'ml.g5.xlarge',
      instanceCount: 3,
      strategy: RolloutStrategy.canary({ steps: [1, 5], bake: Duration.minutes(5) }),
      approval: Approval.required({ timeout: Duration.minutes(30) }),
      notificationTopic: topic(stack),
      encryptionKey: key,
      dataCaptureBucket: bucket,
      dataCaptureSamplingPercent: 25,
      fastMetrics: true,
      revertWindow: Duration.seconds(0),
      concurrencyPolicy: ConcurrencyPolicy.REJECT,
      smokeTestPayloads: ['{"x":1}', '{"x":2}'],
      smokeTestContentType: 'text/csv',
      smokeTestExpectBodyContains: 'score',
      removalPolicy: RemovalPolicy.RETAIN,
      provisionTimeout: Duration.minutes(20),
    }, stack);
    const spec = specOf(ep);
    expect(spec.version).toMatchObject({ instanceType: 'ml.g5.xlarge', initialInstanceCount: 3 });
    expect(spec.plan).toMatchObject({
      approval: { beforeStep: 2, timeoutSeconds: 1800, onTimeout: 'rollback' },
      revertWindowSeconds: 0,
      concurrency: 'reject',
      provisionTimeoutSeconds: 1200,
    });
    expect(spec.plan.steps.map((s) => s.percent)).toEqual([1, 5, 100]);
    expect(spec.smokeTest).toEqual({ payloads: ['{"x":1}', '{"x":2}'], contentType: 'text/csv', expectBodyContains: 'score' });
    expect(spec.notificationTopicArn).toBe('arn:aws:sns:us-east-1:123456789012:ops');
    expect(spec.kmsKeyArn).toMatch(/Key/);
    expect(spec.dataCapture).toEqual({ destinationS3Uri: expect.stringMatching(/^s3:\/\/<.*Capture.*>\/data-capture$/), samplingPercent: 25 });
    expect(spec.metricPublishFrequencySeconds).toBe(10);
    // Each guard's 30 s alarms (on the 10 s metrics) are paired with its 1-minute backstops, which the controller
    // reads while they lack data.
    for (const guard of spec.guards) {
      expect(guard.backstop).toEqual({ blue: guard.blue[1], green: guard.green[1] });
      expect(guard.green).toEqual([expect.not.stringMatching(/Backstop/), expect.stringMatching(/BackstopGreen/)]);
      expect(guard.blue).toEqual([expect.not.stringMatching(/Backstop/), expect.stringMatching(/BackstopBlue/)]);
    }
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    const periodOf = (alarm: { [key: string]: any }): number | undefined => {
      const metrics = (alarm.Properties.Metrics ?? []) as Array<{ MetricStat?: { Period: number } }>;
      return alarm.Properties.Period ?? metrics.find((m) => m.MetricStat)?.MetricStat?.Period;
    };
    const periods = Object.entries(alarms).map(([id, alarm]) => [id.includes('Backstop') ? 'backstop' : 'primary', periodOf(alarm)]);
    expect(periods.filter(([kind]) => kind === 'primary').map(([, p]) => p)).toEqual([30, 30, 30, 30]);
    expect(periods.filter(([kind]) => kind === 'backstop').map(([, p]) => p)).toEqual([60, 60, 60, 60]);
    expect(spec.retainOnDelete).toBe(true);
    // The model role may write captured data under the prefix only.
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Capture'), 'Arn'] }, '/data-capture/*']] },
      })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('EndpointModelRole') }],
    });
  });

  test('tags: the stack\'s and the endpoint\'s reach the spec (the endpoint\'s win), and the step function may tag on create with those keys only', () => {
    const stack = testStack();
    Tags.of(stack).add('environment', 'prod');
    Tags.of(stack).add('team', 'platform');
    const ep = endpoint({ tags: { 'team': 'fraud', 'cost-center': 'ml' } }, stack);
    expect(specOf(ep).tags).toEqual({ 'environment': 'prod', 'team': 'fraud', 'cost-center': 'ml' });
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    const addTags = policies.flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: { Action: unknown }) => JSON.stringify(st.Action).includes('sagemaker:AddTags'));
    expect(addTags).toHaveLength(2);
    const keys = addTags.map((st: any) => [...st.Condition['ForAllValues:StringEquals']['aws:TagKeys']].sort());
    expect(keys).toEqual(expect.arrayContaining([
      ['cdk-sagemaker-rollout:endpoint', 'cdk-sagemaker-rollout:logical-id', 'cdk-sagemaker-rollout:stack-id', 'cost-center', 'environment', 'team'],
      ['cdk-sagemaker-rollout:logical-id', 'cdk-sagemaker-rollout:stack-id'],
    ]));
  });

  test.each([
    [{ 'aws:team': 'x' }, /tags key 'aws:team' is not a tag key SageMaker accepts/],
    // The fix is named (found by the prop fuzzer: the message said what is accepted but not what to do).
    [{ 'cdk-sagemaker-rollout:endpoint': 'x' }, /not starting with 'aws:' or 'cdk-sagemaker-rollout:': rename the key, e\.g\. 'team'/],
    [{ 'k': 'v'.repeat(257) }, /tags value of 'k' must be at most 256/],
    [Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, 'v'])), /48 tags, more than 47/],
  ])('fails for tags %p', (tags, error) => {
    expect(() => endpoint({ tags })).toThrow(error);
  });

  test('token tag values are accepted', () => {
    expect(() => endpoint({ tags: { team: Lazy.string({ produce: () => 'late' }) } })).not.toThrow();
  });

  test('the model role SageMaker assumes is limited to this account (aws:SourceAccount, aws:SourceArn) and lives under the controller\'s path', () => {
    const stack = testStack();
    const ep = endpoint({}, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      Path: ep.controller.modelRolePath,
      AssumeRolePolicyDocument: { Statement: [{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:*']] } },
        },
      }] },
    });
  });

  test('waitForRollout sets ServiceTimeout to the worst case until promotion or rollback (revert window and retiring come after the answer)', () => {
    const ep = endpoint({
      waitForRollout: true,
      strategy: RolloutStrategy.allAtOnce({ bake: Duration.minutes(3), stepDeadline: Duration.minutes(5), checkInterval: Duration.seconds(30) }),
      revertWindow: Duration.minutes(5),
      provisionTimeout: Duration.minutes(10),
    });
    // provision 600 + poll 30 + step (300 + 30)
    Template.fromStack(Stack.of(ep)).hasResourceProperties('Custom::SageMakerRolloutEndpoint', { ServiceTimeout: '960' });
    expect(specOf(ep).waitForRollout).toBe(true);
  });

  test('the default name is derived from the construct path, lower case, and valid for SageMaker', () => {
    const stack = testStack('A-Stack-With-A-Rather-Long-Name-For-Testing');
    const ep = new BlueGreenEndpoint(stack, 'Some-Very-Long-Construct-Id-For-An-Endpoint', { modelVersion: ecrVersion(stack) });
    expect(ep.endpointName).toMatch(/^[a-z0-9](-*[a-z0-9]){0,34}$/);
    const again = testStack('A-Stack-With-A-Rather-Long-Name-For-Testing');
    expect(new BlueGreenEndpoint(again, 'Some-Very-Long-Construct-Id-For-An-Endpoint', { modelVersion: ecrVersion(again) }).endpointName)
      .toBe(ep.endpointName);
  });

  test('guard alarms carry EndpointName and VariantName per slot, and are exposed per slot', () => {
    const ep = endpoint();
    const template = Template.fromStack(Stack.of(ep));
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    // The default guards' alarms are metric math (a request floor per period): the dimensions are on their metrics.
    const dimensions = (slot: string) => Match.arrayWith([{ Name: 'EndpointName', Value: 'fraud' }, { Name: 'VariantName', Value: slot }]);
    for (const slot of ['blue', 'green']) {
      expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ Dimensions: dimensions(slot) }) }) })]) },
      }))).toHaveLength(2);
    }
    expect(ep.guardAlarms(Slot.BLUE)).toHaveLength(2);
    expect(ep.guardAlarms(Slot.GREEN)).toHaveLength(2);
    expect(ep.guardAlarms(Slot.BLUE)).not.toContain(ep.guardAlarms(Slot.GREEN)[0]);
  });

  test('fewer than 10 resources per endpoint beyond the shared controller', () => {
    const stack = testStack();
    endpoint({}, stack);
    const one = Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    const stack2 = testStack();
    endpoint({}, stack2);
    new BlueGreenEndpoint(stack2, 'Second', { modelVersion: ecrVersion(stack2, 'Repo2'), endpointName: 'second' });
    const two = Object.keys(Template.fromStack(stack2).toJSON().Resources).length;
    const perEndpoint = two - one;
    // Custom resource, 4 guard alarms, model role and its policy.
    expect(perEndpoint).toBe(7);
    expect(perEndpoint).toBeLessThan(10);
  });

  test('grantInvoke and the imported endpoint use the lower-case endpoint ARN', () => {
    const stack = testStack();
    const imported = BlueGreenEndpoint.fromBlueGreenEndpointAttributes(stack, 'Imported', { endpointName: 'Fraud-Scoring' });
    expect(stack.resolve(imported.endpointArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:endpoint/fraud-scoring']],
    });
    const role = new iam.Role(stack, 'Client', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantInvoke(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sagemaker:InvokeEndpoint', Resource: stack.resolve(imported.endpointArn) })] },
    });
    expect(imported.metricModelLatency(Slot.GREEN).dimensions).toEqual({ EndpointName: 'Fraud-Scoring', VariantName: 'green' });
    expect(imported.metricCpuUtilization(Slot.BLUE).namespace).toBe('/aws/sagemaker/Endpoints');
  });

  test('a token endpoint name is accepted: models and configs are scoped by the controller\'s prefix, not by the name', () => {
    const stack = testStack();
    const ep = endpoint({ endpointName: Lazy.string({ produce: () => 'late-name' }) }, stack);
    expect(stack.resolve(ep.endpointName)).toBe('late-name');
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('fails when the endpoint name breaks the SageMaker pattern or length', () => {
    expect(() => endpoint({ endpointName: 'fraud_scoring' })).toThrow(/endpointName must match .* got 'fraud_scoring'/);
    expect(() => endpoint({ endpointName: 'x'.repeat(64) })).toThrow(/at most 63 characters/);
  });

  test('fails when the bake is shorter than the alarm window of a guard the judge does not read', () => {
    expect(() => endpoint({
      strategy: RolloutStrategy.canary({ steps: [10], bake: Duration.minutes(2) }),
      guards: [Guard.errorRate(), Guard.comparison()],
    })).toThrow(/bake of the 10% step \(120s\) is shorter than guard 'error-rate-vs-stable's evaluation window \(180s/);
    expect(() => endpoint({
      strategy: RolloutStrategy.canary({ steps: [10], bake: Duration.minutes(10), finalBake: Duration.minutes(4) }),
      guards: [Guard.comparison({ period: Duration.minutes(5), evaluationPeriods: 1 })],
    })).toThrow(/100% step \(240s\) .* 'error-rate-vs-stable'.* \(300s/);
  });

  test('the default strategy\'s bakes grow to cover a guard the judge does not read, so adding one never makes the default refused', () => {
    const spec = specOf(endpoint({ guards: [Guard.errorRate(), Guard.comparison()] }));
    expect(spec.plan.steps.map((s) => [s.percent, s.bakeSeconds])).toEqual([[5, 180], [25, 180], [100, 300]]);
    expect(specOf(endpoint({})).plan.steps.map((s) => s.bakeSeconds)).toEqual([60, 60, 300]);
  });

  test('a judged guard allows bakes shorter than its alarm window: a step advances only on the judge\'s "not worse"', () => {
    expect(() => endpoint({
      strategy: RolloutStrategy.canary({ steps: [10], bake: Duration.minutes(1) }),
      guards: [Guard.errorRate({ evaluationPeriods: 3 }), Guard.latency({ period: Duration.minutes(5) })],
    })).not.toThrow();
  });

  test('fastMetrics shortens the windows so shorter bakes pass', () => {
    expect(() => endpoint({ fastMetrics: true, strategy: RolloutStrategy.canary({ steps: [10], bake: Duration.seconds(60) }) })).not.toThrow();
  });

  test('fails for serverless capacity, with or without data capture', () => {
    expect(() => endpoint({ serverlessMemorySize: 2048, serverlessMaxConcurrency: 5 }))
      .toThrow(/serverless capacity \(memory 2048 MB, concurrency 5\) is not supported: .*two production variants .* set instanceType/);
    const stack = testStack();
    expect(() => endpoint({ serverlessMemorySize: 2048, dataCaptureBucket: new s3.Bucket(stack, 'B') }, stack))
      .toThrow(/serverless capacity cannot be combined with data capture/);
  });

  test('fails when approval has no notification topic', () => {
    expect(() => endpoint({ approval: Approval.required({ timeout: Duration.hours(1) }) })).toThrow(/approval needs a notificationTopic/);
  });

  test('the create always waits for the first smoke test: ServiceTimeout covers provisioning, one poll and the smoke test', () => {
    const ep = endpoint({ provisionTimeout: Duration.minutes(40) });
    // provision 2400 + poll 30 + smoke test 120, above the 900 s a non-waiting update needs
    Template.fromStack(Stack.of(ep)).hasResourceProperties('Custom::SageMakerRolloutEndpoint', { ServiceTimeout: '2550' });
  });

  test('fails when the create cannot fit CloudFormation\'s 3600 s: provisionTimeout too long', () => {
    expect(() => endpoint({ provisionTimeout: Duration.minutes(59) }))
      .toThrow(/creating the endpoint waits for the first version's smoke test.*set provisionTimeout to at most 3450s/);
  });

  test('fails when waitForRollout cannot fit CloudFormation\'s 3600 s', () => {
    expect(() => endpoint({ waitForRollout: true, strategy: RolloutStrategy.CANARY_1_5_25_50_BAKE_10MIN }))
      .toThrow(/worst case is \d+s .* turn waitForRollout off/);
  });

  test('waitForRollout with the default strategy fits: its default step deadlines are short', () => {
    const ep = endpoint({ waitForRollout: true });
    // provisioning 1800 + poll 30 + two canary steps of (60 + 300 + 30) + the final step (300 + 300 + 30) = 3240
    Template.fromStack(Stack.of(ep)).hasResourceProperties('Custom::SageMakerRolloutEndpoint', { ServiceTimeout: '3240' });
  });

  test('fails when data capture sampling is outside 0-100 or not whole', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'B');
    expect(() => endpoint({ dataCaptureBucket: bucket, dataCaptureSamplingPercent: 101 }, stack)).toThrow(/between 0 and 100, got 101/);
    const stack2 = testStack();
    expect(() => endpoint({ dataCaptureBucket: new s3.Bucket(stack2, 'B'), dataCaptureSamplingPercent: 12.5 }, stack2)).toThrow(/whole number .* got 12.5/);
    expect(() => endpoint({ dataCaptureSamplingPercent: 10 })).toThrow(/need a dataCaptureBucket/);
  });

  test('fails when instanceCount is below 1 or instanceType is malformed', () => {
    expect(() => endpoint({ instanceCount: 0 })).toThrow(/instanceCount must be a whole number of at least 1, got 0/);
    expect(() => endpoint({ instanceType: 'm5.large' })).toThrow(/got 'm5.large'/);
  });

  test('fails without guards or with duplicate guard names', () => {
    expect(() => endpoint({ guards: [] })).toThrow(/guards must not be empty/);
    expect(() => endpoint({ guards: [Guard.errorRate(), Guard.errorRate({ thresholdPercent: 5 })] })).toThrow(/guard name 'error-rate' is used twice/);
    expect(() => endpoint({ guards: [Guard.errorRate(), Guard.errorRate({ name: 'errorRate' })] }))
      .toThrow(/guard name 'errorRate' is used twice on this endpoint \(as 'error-rate'\)/);
  });

  test('fails for smoke test options without payloads, and for bad counters', () => {
    expect(() => endpoint({ smokeTestExpectBodyContains: 'ok' })).toThrow(/need smokeTestPayloads/);
    expect(() => endpoint({ smokeTestPayloads: ['x'.repeat(40_000)] })).toThrow(/total 40000 bytes/);
    expect(() => endpoint({ rolloutAttempt: 0 })).toThrow(/rolloutAttempt .* got 0/);
    expect(() => endpoint({ provisionTimeout: Duration.seconds(10) })).toThrow(/provisionTimeout must be at least 30 seconds/);
    expect(() => endpoint({ removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(/got SNAPSHOT/);
  });

  test('controller props cannot be applied once the controller exists', () => {
    const stack = testStack();
    endpoint({}, stack);
    expect(() => RolloutController.of(stack, { tableRemovalPolicy: RemovalPolicy.DESTROY })).toThrow(/already exists, so props cannot apply/);
  });
});

describe('a model role you bring', () => {
  test('from the same stack: the endpoint waits for the role\'s default policy (its model data and image grants)', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const ep = endpoint({ role }, stack);
    const template = Template.fromStack(stack).toJSON();
    const id = stack.getLogicalId(ep.resource.node.defaultChild as any);
    const policyId = stack.getLogicalId(role.node.findChild('DefaultPolicy').node.defaultChild as any);
    expect(template.Resources[id].DependsOn).toContain(policyId);
  });
});

describe('warnings', () => {
  test('warns when a KMS key meets an instance type with local NVMe storage, which SageMaker rejects', () => {
    const stack = testStack();
    const ep = endpoint({ encryptionKey: new kms.Key(stack, 'Key'), instanceType: 'ml.g5.xlarge' }, stack);
    Annotations.fromStack(Stack.of(ep)).hasWarning('*', Match.stringLikeRegexp('ml.g5.xlarge looks like one with local NVMe storage'));
  });
});

describe('bakes and late metrics', () => {
  test('warns when a bake barely covers a guard window (SageMaker metrics arrive a minute or two late)', () => {
    const ep = endpoint({ strategy: RolloutStrategy.canary({ steps: [10], bake: Duration.minutes(3) }), guards: [Guard.errorRate(), Guard.comparison()] });
    Annotations.fromStack(Stack.of(ep)).hasWarning('*', Match.stringLikeRegexp("leaves less than 120s beyond guard 'error-rate-vs-stable'"));
  });

  test('does not warn when bakes leave room for late metrics', () => {
    const ep = endpoint({ strategy: RolloutStrategy.canary({ steps: [10], bake: Duration.minutes(10) }) });
    expect(Annotations.fromStack(Stack.of(ep)).findWarning('*', Match.stringLikeRegexp('leaves less than'))).toEqual([]);
  });
});

describe('canary capacity (scaleCandidateWithTraffic)', () => {
  test('on by default, off when set false; the spec carries it and the instance count', () => {
    expect(specOf(endpoint({ instanceCount: 4 }))).toMatchObject({ scaleCandidateWithTraffic: true, version: { initialInstanceCount: 4, instanceType: 'ml.m5.large' } });
    expect(specOf(endpoint({ instanceCount: 4, scaleCandidateWithTraffic: false })).scaleCandidateWithTraffic).toBe(false);
  });

  test('the step function may read the account\'s instance quotas (ListServiceQuotas has no resource types), and the state machine waits for capacity before a shift', () => {
    const stack = testStack();
    endpoint({}, stack);
    const template = Template.fromStack(stack);
    const step = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, r]) => JSON.stringify(r.Properties.Roles).includes('StepServiceRole'))
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
    expect(step).toContainEqual({ Action: 'servicequotas:ListServiceQuotas', Effect: 'Allow', Resource: '*' });
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"WaitForCapacity\\":{\\"Type\\":\\"Wait\\",\\"SecondsPath\\":\\"$.spec.plan.provisionPollSeconds\\",\\"Next\\":\\"ShiftTraffic\\"}');
    expect(definition).toContain('{\\"Variable\\":\\"$.next\\",\\"StringEquals\\":\\"capacity-wait\\",\\"Next\\":\\"WaitForCapacity\\"}');
  });
});

describe('autoScaling', () => {
  test('renders target tracking on invocations per instance, and grants Application Auto Scaling only to a controller whose endpoints use it', () => {
    const plain = testStack();
    endpoint({}, plain);
    expect(JSON.stringify(Template.fromStack(plain).findResources('AWS::IAM::Policy'))).not.toContain('application-autoscaling');

    const stack = testStack();
    const ep = endpoint({ instanceCount: 2, autoScaling: { minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 600, scaleInCooldown: Duration.minutes(10) } }, stack);
    expect(specOf(ep).autoScaling).toEqual({ minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 600, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 300 });
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    const statementsOf = (role: string) => policies.filter((p) => JSON.stringify(p.Properties.Roles).includes(role)).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statementsOf('StepServiceRole')).toContainEqual({
      Action: ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget', 'application-autoscaling:PutScalingPolicy'],
      Effect: 'Allow', Resource: '*',
    });
    expect(statementsOf('StepServiceRole')).toContainEqual(expect.objectContaining({
      Action: 'iam:CreateServiceLinkedRole', Condition: { StringLike: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } },
    }));
    expect(statementsOf('DeployServiceRole')).toContainEqual({ Action: 'application-autoscaling:DeregisterScalableTarget', Effect: 'Allow', Resource: '*' });
  });

  test('a custom metric is rendered as one metric and statistic with its target', () => {
    const metric = new cloudwatch.Metric({ namespace: 'Fraud', metricName: 'QueueDepth', dimensionsMap: { Endpoint: 'fraud' }, statistic: 'Average' });
    const ep = endpoint({ autoScaling: { minCapacity: 1, maxCapacity: 3, customMetric: metric, customMetricTarget: 5 } });
    expect(specOf(ep).autoScaling).toMatchObject({
      customMetric: { namespace: 'Fraud', metricName: 'QueueDepth', dimensions: { Endpoint: 'fraud' }, statistic: 'Average', targetValue: 5 },
    });
  });

  test.each([
    [{ minCapacity: 0, maxCapacity: 2, targetInvocationsPerInstance: 10 }, /autoScaling.minCapacity must be a whole number of at least 1, got 0/],
    [{ minCapacity: 3, maxCapacity: 2, targetInvocationsPerInstance: 10 }, /autoScaling.maxCapacity \(2\) is below minCapacity \(3\)/],
    [{ minCapacity: 2, maxCapacity: 4, targetInvocationsPerInstance: 10 }, /instanceCount \(1\) is outside autoScaling's 2-4: .*set it between minCapacity and maxCapacity/],
    [{ minCapacity: 1, maxCapacity: 4 }, /autoScaling needs exactly one target/],
    [{ minCapacity: 1, maxCapacity: 4, targetInvocationsPerInstance: 0 }, /targetInvocationsPerInstance must be above 0, got 0/],
  ])('refuses %j naming the value and the fix', (autoScaling, message) => {
    expect(() => endpoint({ autoScaling })).toThrow(message);
  });

  test('a custom metric needs its target, and must not be math', () => {
    const metric = new cloudwatch.Metric({ namespace: 'Fraud', metricName: 'QueueDepth' });
    expect(() => endpoint({ autoScaling: { minCapacity: 1, maxCapacity: 3, customMetric: metric } })).toThrow(/customMetric is set without customMetricTarget: set customMetricTarget/);
    const math = new cloudwatch.MathExpression({ expression: 'm1 * 2', usingMetrics: { m1: metric } });
    expect(() => endpoint({ autoScaling: { minCapacity: 1, maxCapacity: 3, customMetric: math, customMetricTarget: 2 } })).toThrow(/not a math expression/);
  });
});
