import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, ListNotebookInstancesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import * as path from 'node:path';
import { signingFunction } from '../../simulator/function-host';
import { Random } from '../../simulator/random';
import { loadScenario } from '../../simulator/scenario';
import { synthScenario } from '../../simulator/scenario-app';
import { simulate } from '../../simulator/simulation';
import { summarize } from '../../simulator/summary';
import { ACCOUNT, DeployedTemplate, REGION } from '../../simulator/template';
import { installTransport, uninstallTransport } from '../../simulator/transport';
import { ServiceTwin } from '../../simulator/twin';
import { IamAuthorizer } from '../../simulator/twin/iam';

const scenarioFile = path.join(__dirname, '..', '..', 'scenarios', 'healthy-canary-promoted.json');
const credentials = { accessKeyId: 'SIMULATOR', secretAccessKey: 'SIMULATOR' };
const client = { region: REGION, credentials, maxAttempts: 1 };
const alarmArn = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;

/** The controller's roles as the construct synthesizes them for the scenario's endpoint. */
function controllerRoles() {
  const scenario = loadScenario(scenarioFile);
  const synthesized = synthScenario(scenario, scenario.initialVersion, 1);
  const template = new DeployedTemplate('SimulatedStack', synthesized.template);
  return { template, functions: synthesized.functions };
}

describe('IAM in the twin: the synthesized policies of each function decide', () => {
  const { template, functions } = controllerRoles();
  const iam = new IamAuthorizer();
  iam.assume('step', template.rolePolicies(functions.step));
  iam.assume('guard-listener', template.rolePolicies(functions.guardListener));
  const endpoint = (name: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${name}`;

  it('allows the step function to shift traffic on its own endpoint only', async () => {
    await expect(iam.allowed('step', { action: 'sagemaker:UpdateEndpointWeightsAndCapacities', resource: endpoint('sim-endpoint') })).resolves.toBe(true);
    await expect(iam.allowed('step', { action: 'sagemaker:UpdateEndpointWeightsAndCapacities', resource: endpoint('someone-elses') })).resolves.toBe(false);
  });

  it('gives the guard listener no way to create models', async () => {
    await expect(iam.allowed('guard-listener', { action: 'sagemaker:CreateModel', resource: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model/sim-endpoint-1` })).resolves.toBe(false);
  });

  it('lets the step function pass the model role to SageMaker and to no other service (iam:PassedToService)', async () => {
    const modelRole = template.resources('AWS::IAM::Role').find((r) => r.id.startsWith('EndpointModelRole'))!;
    const role = template.arn(modelRole.id, 'Arn');
    await expect(iam.allowed('step', { action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } })).resolves.toBe(true);
    await expect(iam.allowed('step', { action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).resolves.toBe(false);
  });

  it('reads DescribeAlarms on `*` as allowed only when a statement grants `*` itself', async () => {
    await expect(iam.allowedOnEveryResource('step', 'cloudwatch:DescribeAlarms')).resolves.toBe(true);
    const scoped = new IamAuthorizer();
    scoped.assume('fn', { roleArn: `arn:aws:iam::${ACCOUNT}:role/scoped`, policies: [{ name: 'p', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: alarmArn('guard-*') }] } }] });
    await expect(scoped.allowed('fn', { action: 'cloudwatch:DescribeAlarms', resource: alarmArn('guard-a') })).resolves.toBe(true);
    await expect(scoped.allowedOnEveryResource('fn', 'cloudwatch:DescribeAlarms')).resolves.toBe(false);
  });

  it('lets an explicit Deny win over an Allow', async () => {
    const denied = new IamAuthorizer();
    denied.assume('fn', { roleArn: `arn:aws:iam::${ACCOUNT}:role/denied`, policies: [
      { name: 'allow', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' }] } },
      { name: 'deny', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: 'sagemaker:Describe*', Resource: '*' }] } },
    ] });
    await expect(denied.allowed('fn', { action: 'sagemaker:DescribeEndpoint', resource: endpoint('x') })).resolves.toBe(true);
    await expect(denied.allowed('fn', { action: 'sagemaker:DeleteEndpoint', resource: endpoint('x') })).resolves.toBe(false);
  });
});

describe('a denied request on the wire', () => {
  let twin: ServiceTwin;
  const role = (statements: unknown[]) => ({ roleArn: `arn:aws:iam::${ACCOUNT}:role/fn-role`, policies: [{ name: 'p', document: { Version: '2012-10-17', Statement: statements } }] });
  const asFunction = <T>(action: () => Promise<T>) => signingFunction.run('fn', action);

  beforeEach(() => {
    twin = new ServiceTwin({
      sagemaker: { createSeconds: 1, updateSeconds: 1, weightsSeconds: 1, deleteSeconds: 1 },
      metricArrival: { lagSeconds: 0, spreadSeconds: 0, seed: 1 }, events: { delaySeconds: 0 }, profiles: {}, objects: [{ bucket: 'models', key: 'v1/model.tar.gz', sha256Hex: 'ab'.repeat(32), size: 1 }],
      images: [], random: new Random(1), invoke: async () => null,
    });
    installTransport((request) => twin.handle(request));
  });
  afterEach(() => uninstallTransport());

  it('answers AccessDeniedException with IAM\'s message and records the denial', async () => {
    twin.iam.assume('fn', role([{ Effect: 'Allow', Action: 'sagemaker:DescribeEndpoint', Resource: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/mine` }]));
    const refused = asFunction(() => new SageMakerClient(client).send(new DescribeEndpointCommand({ EndpointName: 'theirs' })));
    await expect(refused).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/fn-role/fn is not authorized to perform: sagemaker:DescribeEndpoint on resource: arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/theirs because no identity-based policy allows the sagemaker:DescribeEndpoint action`,
    });
    expect(twin.calls).toMatchObject([{ service: 'sagemaker', operation: 'DescribeEndpoint', denied: `sagemaker:DescribeEndpoint on arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/theirs` }]);
  });

  it('lets an allowed request through to the service (which answers as it would)', async () => {
    twin.iam.assume('fn', role([{ Effect: 'Allow', Action: 'sagemaker:DescribeEndpoint', Resource: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/mine` }]));
    const missing = asFunction(() => new SageMakerClient(client).send(new DescribeEndpointCommand({ EndpointName: 'mine' })));
    await expect(missing).rejects.toMatchObject({ name: 'ValidationException' });
    expect(twin.calls[0].denied).toBeUndefined();
  });

  it('answers S3 with 403 and SNS with AuthorizationError', async () => {
    twin.iam.assume('fn', role([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::models/v2/*' }]));
    const head = asFunction(() => new S3Client(client).send(new HeadObjectCommand({ Bucket: 'models', Key: 'v1/model.tar.gz' })));
    await expect(head).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    const publish = asFunction(() => new SNSClient(client).send(new PublishCommand({ TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:topic`, Message: 'hi' })));
    // SNS's AuthorizationError code, as SDK v3 names the modelled exception.
    await expect(publish).rejects.toMatchObject({ name: 'AuthorizationErrorException' });
    expect(twin.calls.filter((c) => c.denied)).toHaveLength(2);
  });

  it('refuses an operation it has no IAM mapping for, rather than letting it through', async () => {
    twin.iam.assume('fn', role([{ Effect: 'Allow', Action: '*', Resource: '*' }]));
    const unmapped = asFunction(() => new SageMakerClient(client).send(new ListNotebookInstancesCommand({})));
    await expect(unmapped).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('sagemaker:ListNotebookInstances on resource: unmapped') });
  });

  it('does not authorize the operator (no function signs its calls)', async () => {
    twin.iam.assume('fn', role([]));
    await expect(new SageMakerClient(client).send(new DescribeEndpointCommand({ EndpointName: 'theirs' }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(twin.calls[0].denied).toBeUndefined();
  });

  describe('composite alarms need cloudwatch:DescribeAlarms on `*`', () => {
    const describe = () => asFunction(() => new CloudWatchClient(client).send(new DescribeAlarmsCommand({ AlarmNames: ['guard-metric', 'guard-composite'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })));
    beforeEach(() => {
      twin.cloudwatch.putAlarm({ AlarmName: 'guard-metric', Namespace: 'N', MetricName: 'M', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });
      twin.cloudwatch.putCompositeAlarm({ AlarmName: 'guard-composite', AlarmRule: 'ALARM(guard-metric)' });
    });

    it('returns them to a permission on `*`', async () => {
      twin.iam.assume('fn', role([{ Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: '*' }]));
      const out = await describe();
      expect(out.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['guard-metric']);
      expect(out.CompositeAlarms?.map((a) => a.AlarmName)).toEqual(['guard-composite']);
    });

    it('leaves them out for a permission scoped to the alarms\' ARNs, the composite\'s own included', async () => {
      twin.iam.assume('fn', role([{ Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: [alarmArn('guard-metric'), alarmArn('guard-composite')] }]));
      const out = await describe();
      expect(out.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['guard-metric']);
      expect(out.CompositeAlarms).toEqual([]);
    });

    it('returns only metric alarms when AlarmTypes is omitted', async () => {
      const out = await new CloudWatchClient(client).send(new DescribeAlarmsCommand({ AlarmNames: ['guard-metric', 'guard-composite'] }));
      expect(out.CompositeAlarms).toEqual([]);
    });
  });
});

describe('a scenario whose controller lacks a permission', () => {
  it('records the denials, counts them in the summary, and the rollout does not promote', async () => {
    const scenario = loadScenario(scenarioFile);
    const missing = 'sagemaker:UpdateEndpointWeightsAndCapacities';
    const run = await simulate(scenario, undefined, (version, attempt, where) => {
      const synthesized = synthScenario(scenario, version, attempt, where);
      for (const resource of Object.values(synthesized.template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        for (const statement of resource.Properties!.PolicyDocument.Statement) {
          if (Array.isArray(statement.Action)) statement.Action = statement.Action.filter((a: string) => a !== missing);
        }
      }
      return synthesized;
    });
    const summary = summarize(run);
    const denied = [...new Set(run.controlPlaneCalls.filter((c) => c.denied).map((c) => c.denied))];
    expect(denied).toEqual([`${missing} on arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/sim-endpoint`]);
    expect(summary.denials).toBeGreaterThan(0);
    expect(summary.outcome).not.toBe('promoted');
  });
});

describe('a controller whose cloudwatch:DescribeAlarms is scoped to alarm ARNs, guarding with a composite alarm', () => {
  it('is refused nothing, yet never sees the composite: unknown holds the step until its deadline, and the candidate is not promoted', async () => {
    const scenario = loadScenario(path.join(__dirname, '..', '..', 'scenarios', 'composite-guard-promoted.json'));
    const everyAlarm = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*`;
    let composite = '';
    const run = await simulate(scenario, undefined, (version, attempt, where) => {
      const synthesized = synthScenario(scenario, version, attempt, where);
      const template = new DeployedTemplate('SimulatedStack', synthesized.template);
      composite = template.physicalName(template.resources('AWS::CloudWatch::CompositeAlarm')[0].id);
      let scoped = 0;
      for (const resource of Object.values(synthesized.template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        const statements = resource.Properties!.PolicyDocument.Statement;
        for (const statement of [...statements]) {
          if (!Array.isArray(statement.Action) || !statement.Action.includes('cloudwatch:DescribeAlarms') || statement.Resource !== '*') continue;
          // Every alarm of the account by ARN: all the alarms, but not `*`.
          statement.Action = statement.Action.filter((a: string) => a !== 'cloudwatch:DescribeAlarms');
          statements.push({ Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: everyAlarm });
          scoped++;
        }
      }
      expect(scoped).toBe(1);
      return synthesized;
    });
    const summary = summarize(run);
    // IAM allows every DescribeAlarms call; CloudWatch leaves the composite out of its answers.
    expect(summary.denials).toBe(0);
    expect(run.controlPlaneCalls.some((c) => c.operation === 'DescribeAlarms')).toBe(true);
    expect(summary.outcome).toBe('inconclusive');
    expect(summary.finalStableVersion).toBe('v1');
    expect(run.history.some((h) => h.decision === 'step-passed')).toBe(false);
    const verdict = run.history.find((h) => String(h.reason).includes(`${composite} unreadable`));
    expect(verdict?.reason).toContain('still unknown');
  });
});
