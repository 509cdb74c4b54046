import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { CreateEndpointConfigCommand, CreateModelCommand, ListModelsCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { readAlarms, readAlarmsSince, readInvocations } from '../../lambda/aws/guard-readings';
import { appendHistory, listHistory } from '../../lambda/aws/history';
import { listEndpointConfigNames } from '../../lambda/aws/endpoint-configs';
import { listModelNames } from '../../lambda/aws/models';
import { SIMULATION_START, setProcessEnv } from '../../simulator/simulation';
import { installTransport, uninstallTransport } from '../../simulator/transport';
import { ServiceTwin } from '../../simulator/twin';

/**
 * Every List/Describe API the controller calls answers in pages in the twin, at AWS's documented page limits (or the
 * twin's stated default where none is documented: simulator/twin/pages.ts and its callers cite each). Each test shows
 * both sides: one call returns only the first page with a token (so a handler that read one page would miss items and
 * fail the test), and the controller's own adapter returns every item.
 */
describe('pagination in the twin: the handlers read every page', () => {
  let twin: ServiceTwin;
  let restoreEnv: () => void;

  beforeEach(() => {
    restoreEnv = setProcessEnv();
    twin = new ServiceTwin({
      sagemaker: { createSeconds: 1, updateSeconds: 1, weightsSeconds: 1, deleteSeconds: 1 },
      metricArrival: { lagSeconds: 0, spreadSeconds: 0, seed: 1 }, events: { delaySeconds: 0 }, profiles: {}, objects: [], images: [],
      random: { next: () => 0.5 } as never, invoke: () => Promise.reject(new Error('no functions here')),
    });
    installTransport((request) => twin.handle(request));
  });
  afterEach(() => {
    uninstallTransport();
    restoreEnv();
  });

  const sagemaker = () => new SageMakerClient({});

  test('models and endpoint configs: 25 of each, pages of 10 by default, all 25 listed', async () => {
    for (let n = 0; n < 25; n++) {
      const name = `r0000abcd-ep-v${String(n).padStart(2, '0')}`;
      await sagemaker().send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: 'arn:aws:iam::123456789012:role/m', PrimaryContainer: { Image: 'x' } }));
      await sagemaker().send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'a', ModelName: name, InstanceType: 'ml.c5.large', InitialInstanceCount: 1 }] }));
    }
    const first = await sagemaker().send(new ListModelsCommand({ NameContains: 'r0000abcd-ep' }));
    expect(first.Models).toHaveLength(10);
    expect(first.NextToken).toBeDefined();
    expect(await listModelNames('r0000abcd-ep')).toHaveLength(25);
    expect(new Set(await listEndpointConfigNames('r0000abcd-ep')).size).toBe(25);
    // A token the service did not issue is refused.
    await expect(sagemaker().send(new ListModelsCommand({ NextToken: 'not-a-token' }))).rejects.toThrow(/Invalid pagination token/);
  });

  test('alarms: 120 metric and 10 composite alarms, pages of 50 by default, every state read', async () => {
    const names: string[] = [];
    for (let n = 0; n < 120; n++) {
      const name = `guard-${String(n).padStart(3, '0')}`;
      twin.cloudwatch.putAlarm({ AlarmName: name, Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' } as never);
      names.push(name);
    }
    for (let n = 0; n < 10; n++) {
      const name = `composite-${n}`;
      twin.cloudwatch.putCompositeAlarm({ AlarmName: name, AlarmRule: `ALARM(guard-00${n})` });
      names.push(name);
    }
    const first = await new CloudWatchClient({}).send(new DescribeAlarmsCommand({ AlarmNames: names.slice(0, 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    expect((first.MetricAlarms ?? []).length + (first.CompositeAlarms ?? []).length).toBe(50);
    expect(first.NextToken).toBeDefined();
    const read = await readAlarms(names);
    expect(read.unreadable).toEqual([]);
    expect(Object.keys(read.alarms)).toHaveLength(130);
  });

  test('alarm history: 150 state updates, pages of 100, newest first by default; the first ALARM is found on a later page', async () => {
    twin.cloudwatch.putAlarm({ AlarmName: 'guard-h', Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' } as never);
    const start = Date.now();
    for (let n = 0; n < 150; n++) twin.cloudwatch.setAlarmState('guard-h', n % 2 === 0 ? 'OK' : 'ALARM', `change ${n}`);
    const first = await new CloudWatchClient({}).send(new DescribeAlarmHistoryCommand({ AlarmName: 'guard-h', HistoryItemType: 'StateUpdate' }));
    expect(first.AlarmHistoryItems).toHaveLength(100);
    expect(first.NextToken).toBeDefined();
    expect(first.AlarmHistoryItems?.[0]).toMatchObject({ AlarmName: 'guard-h', HistoryItemType: 'StateUpdate', HistorySummary: 'Alarm updated from OK to ALARM' });
    expect(JSON.parse(first.AlarmHistoryItems![0].HistoryData!)).toMatchObject({ oldState: { stateValue: 'OK', stateReason: 'change 148' }, newState: { stateValue: 'ALARM', stateReason: 'change 149' } });
    const ascending = await new CloudWatchClient({}).send(new DescribeAlarmHistoryCommand({ AlarmName: 'guard-h', ScanBy: 'TimestampAscending', MaxRecords: 2 }));
    expect(ascending.AlarmHistoryItems?.map((i) => i.HistorySummary)).toEqual(['Alarm updated from INSUFFICIENT_DATA to OK', 'Alarm updated from OK to ALARM']);
    const read = await readAlarmsSince(['guard-h'], start - 1000);
    expect(read).toMatchObject({ alarms: { 'guard-h': 'ALARM' }, unreadable: [] });
    expect(read.breachedAt?.['guard-h']).toBeGreaterThanOrEqual(start - 1000);
    // Nothing changed after now: no breach in the history (the alarm's current ALARM is read from DescribeAlarms).
    expect((await readAlarmsSince(['guard-h'], Date.now() + 60_000)).breachedAt).toBeUndefined();
  });

  test('alarm history without an alarm name: every alarm\'s items of one kind; the composite read finds ours among them', async () => {
    const alarm = (AlarmName: string) => ({ AlarmName, Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' } as never);
    twin.cloudwatch.putAlarm(alarm('guard-m'));
    twin.cloudwatch.putAlarm(alarm('another-teams-alarm'));
    twin.cloudwatch.putCompositeAlarm({ AlarmName: 'guard-c', AlarmRule: 'ALARM(guard-m)' });
    const start = Date.now();
    // Another team's alarm flaps 150 times first: our breaches are on the read's second page.
    for (let n = 0; n < 150; n++) twin.cloudwatch.setAlarmState('another-teams-alarm', n % 2 === 0 ? 'ALARM' : 'OK', `flap ${n}`);
    twin.cloudwatch.setAlarmState('guard-c', 'ALARM', 'breach');
    twin.cloudwatch.setAlarmState('guard-c', 'OK', 'recovered');
    const metricOnly = await new CloudWatchClient({}).send(new DescribeAlarmHistoryCommand({ StartDate: new Date(start - 1000), ScanBy: 'TimestampAscending' }));
    expect(metricOnly.NextToken).toBeDefined();
    expect(new Set(metricOnly.AlarmHistoryItems?.map((i) => i.AlarmName))).toEqual(new Set(['another-teams-alarm']));
    // "Either all metric alarms or all composite alarms": read strictly, asking for both kinds without a name gets the metric alarms'.
    const both = await new CloudWatchClient({}).send(new DescribeAlarmHistoryCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], StartDate: new Date(start - 1000), MaxRecords: 100 }));
    const bothNext = await new CloudWatchClient({}).send(new DescribeAlarmHistoryCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], StartDate: new Date(start - 1000), NextToken: both.NextToken }));
    expect([...both.AlarmHistoryItems ?? [], ...bothNext.AlarmHistoryItems ?? []].some((i) => i.AlarmName === 'guard-c')).toBe(false);
    const read = await readAlarmsSince(['guard-m', 'guard-c'], start - 1000);
    expect(read).toMatchObject({ alarms: { 'guard-c': 'OK' }, historyComplete: true });
    expect(Object.keys(read.breachedAt ?? {})).toEqual(['guard-c']);
  });

  test('metric data: datapoints beyond MaxDatapoints come in later pages, and the invocation count sums them all', async () => {
    const metric = { Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Dimensions: [{ Name: 'EndpointName', Value: 'ep' }, { Name: 'VariantName', Value: 'a' }] };
    for (let minute = 0; minute < 30; minute++) twin.cloudwatch.recordMany(metric as never, SIMULATION_START + minute * 60_000, 1, 2);
    const query = { StartTime: new Date(SIMULATION_START), EndTime: new Date(SIMULATION_START + 30 * 60_000), MetricDataQueries: [{ Id: 'i', MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' } }] };
    const first = await new CloudWatchClient({}).send(new GetMetricDataCommand({ ...query, MaxDatapoints: 7 }));
    expect(first.MetricDataResults?.[0].Values).toHaveLength(7);
    expect(first.MetricDataResults?.[0].StatusCode).toBe('PartialData');
    expect(first.NextToken).toBeDefined();
    let total = 0;
    let token: string | undefined;
    do {
      const page = await new CloudWatchClient({}).send(new GetMetricDataCommand({ ...query, MaxDatapoints: 7, NextToken: token }));
      total += (page.MetricDataResults?.[0].Values ?? []).reduce((a, b) => a + b, 0);
      token = page.NextToken;
    } while (token);
    expect(total).toBe(60);
    // The controller's own read (the default 100,800 datapoints per page) sees the same 60 invocations.
    expect((await readInvocations({ endpointName: 'ep', variantName: 'a', from: SIMULATION_START, to: SIMULATION_START + 30 * 60_000, periodSeconds: 60 }))?.count).toBe(60);
  });

  test('history: more than 1 MB of entries comes in several Query pages (DynamoDB\'s 1 MB limit), and all are listed', async () => {
    process.env.TABLE_NAME = 'state';
    // Decisions are logged only inside a Lambda function: the 600 entries stay out of the test output.
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    const ddb = new DynamoDBClient({});
    await ddb.send(new CreateTableCommand({
      TableName: 'state', BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    }));
    while ((await ddb.send(new DescribeTableCommand({ TableName: 'state' }))).Table?.TableStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 10));
    const evidence = 'x'.repeat(2000);
    for (let n = 0; n < 600; n++) {
      await appendHistory({ at: SIMULATION_START + n * 1000, endpointName: 'ep', decision: 'step-checked', reason: `check ${n}`, actor: 'controller', evidence });
    }
    const first = await ddb.send(new QueryCommand({ TableName: 'state', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'ENDPOINT#ep' } } }));
    expect(first.Items!.length).toBeLessThan(600);
    expect(first.LastEvaluatedKey).toBeDefined();
    const history = await listHistory('ep');
    expect(history).toHaveLength(600);
    expect(history.at(-1)?.reason).toBe('check 599');
  }, 60_000);

  test('tags: ListTags pages at 50 by default (a resource holds at most 50), so the owner lookup asks for 100', async () => {
    const ep = { name: 'ep', arn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep', tags: new Map(Array.from({ length: 50 }, (_, n) => [`k${n}`, 'v'])) };
    twin.sagemaker.endpoints.set('ep', ep as never);
    const first = await sagemaker().send(new ListTagsCommand({ ResourceArn: ep.arn }));
    expect(first.Tags).toHaveLength(50);
    expect(first.NextToken).toBeUndefined();
    await expect(sagemaker().send(new ListTagsCommand({ ResourceArn: ep.arn, MaxResults: 10 }))).rejects.toThrow(/between 50 and 100/);
  });
});
