import http = require('node:http');
import * as path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { versionIdOf } from '../lambda/core';
import { handlerBundleDir } from '../lib/private/bundles';
import { VirtualClock } from './clock';
import { FunctionHost, LambdaHandler, caller } from './function-host';
import { Random } from './random';
import { MODEL_BUCKET, MODEL_REPOSITORY, SynthesizedScenario, modelArtifact, synthScenario } from './scenario-app';
import { Scenario } from './scenario';
import { DeployedTemplate, REGION, ACCOUNT } from './template';
import { captureHttpHost, installTransport, requestsInFlight, uninstallTransport } from './transport';
import { ServiceTwin } from './twin';
import { AlarmDefinition, AlarmStateChange } from './twin/cloudwatch';
import { Execution } from './twin/stepfunctions';
import { RequestRecord } from './twin/runtime';

/** Simulated time starts on a Monday morning, on a minute boundary (alarms evaluate on minute boundaries). */
export const SIMULATION_START = Date.UTC(2026, 0, 5, 9, 0, 0);
const CFN_HOST = 'cfn-response.sim';
const LAMBDA_LATENCY_MS = 150;
const EVENT_DELAY_SECONDS = 1;
const TAIL_MS = 2 * 60_000;

export type TimelineKind = 'deploy' | 'cfn' | 'weights' | 'alarm' | 'decision' | 'event' | 'notification' | 'execution' | 'fault' | 'operator';

export interface TimelineEvent { at: number; kind: TimelineKind; text: string; data?: Record<string, unknown> }

/** Live weights of the endpoint's slots, in percent, each time they change. */
export interface WeightSnapshot { at: number; status: string; slots: Array<{ slot: string; version: string; percent: number }> }

export interface RunRecord {
  readonly scenario: Scenario;
  readonly start: number;
  readonly end: number;
  readonly timeline: TimelineEvent[];
  readonly weights: WeightSnapshot[];
  readonly alarms: Array<AlarmStateChange & { slot?: string }>;
  readonly requests: RequestRecord[];
  readonly executions: Array<Pick<Execution, 'arn' | 'name' | 'status' | 'startedAt' | 'stoppedAt' | 'states' | 'output' | 'error' | 'cause'>>;
  readonly history: Array<Record<string, any>>;
  readonly state: Record<string, any> | undefined;
  readonly rollouts: Array<Record<string, any>>;
  readonly versionIds: Record<string, string>;
  readonly cfnResponses: Array<{ at: number; requestType: string; status: string; reason?: string }>;
  readonly regressedAt: Record<string, number>;
  readonly controlPlaneCalls: ServiceTwin['calls'];
  /** Every guard alarm the stack defined, with the slot it watches (undefined: an alarm the user brought). */
  readonly guardAlarms: Array<{ name: string; slot?: string }>;
  readonly endpointName: string;
}

/** The record while the run fills it in. */
type RunRecorder = { -readonly [K in keyof RunRecord]: RunRecord[K] };

/** Runs one scenario end to end on the virtual clock and records everything that happened. */
export async function simulate(
  scenario: Scenario,
  onEvent: (e: TimelineEvent) => void = () => undefined,
  /** What each deploy declares: by default the scenario's endpoint props through the constructs; `simulate --app` gives the user's stack. */
  synthesize: (version: string, attempt: number) => SynthesizedScenario = (version, attempt) => synthScenario(scenario, version, attempt),
): Promise<RunRecord> {
  // Synthesize every deploy up front, with real time: CDK does file I/O.
  const deploys = new Map<string, SynthesizedScenario>();
  const synth = (version: string, attempt: number) => {
    const key = `${version}#${attempt}`;
    if (!deploys.has(key)) deploys.set(key, synthesize(version, attempt));
    return deploys.get(key)!;
  };
  synth(scenario.initialVersion, 1);
  for (const t of scenario.timeline) if (t.deploy) synth(t.deploy, t.attempt ?? 1);

  const restoreEnv = setProcessEnv();
  const originalRandom = Math.random;
  const random = new Random(scenario.seed);
  const sdkRandom = new Random(scenario.seed ^ 0x5bd1e995);
  Math.random = () => sdkRandom.next();
  const clock = new VirtualClock(SIMULATION_START);
  const host = new FunctionHost(LAMBDA_LATENCY_MS);
  const throttle = scenario.faults?.throttle ?? [];
  const sm = scenario.sagemaker ?? {};
  const twin = new ServiceTwin({
    sagemaker: {
      createSeconds: sm.createSeconds ?? 300,
      updateSeconds: sm.updateSeconds ?? 240,
      weightsSeconds: sm.weightsSeconds ?? 10,
      deleteSeconds: 60,
      failNextUpdate: scenario.faults?.provisioning === 'silent-revert' ? 'silent' : scenario.faults?.provisioning === 'reported-revert' ? 'reported' : undefined,
      throttled: () => throttle.some((w) => clock.now() >= SIMULATION_START + w.fromMinute * 60_000 && clock.now() < SIMULATION_START + w.toMinute * 60_000),
    },
    metricLagSeconds: sm.metricLagSeconds ?? 0,
    events: { delaySeconds: EVENT_DELAY_SECONDS, duplicate: scenario.faults?.alarmEvents === 'duplicate', lose: scenario.faults?.alarmEvents === 'lost' },
    profiles: scenario.versions,
    objects: Object.keys(scenario.versions).map((v) => ({ bucket: MODEL_BUCKET, key: modelArtifact(v).key, sha256Hex: modelArtifact(v).sha256, size: 1024 })),
    images: Object.keys(scenario.versions).map((v) => ({ repository: MODEL_REPOSITORY, tag: v, digest: modelArtifact(v).digest })),
    random,
    invoke: (arn, payload) => host.invoke(arn, payload),
  });

  const record = newRecord(scenario);
  const emit = (kind: TimelineKind, text: string, data?: Record<string, unknown>) => {
    const e = { at: clock.now(), kind, text, data };
    record.timeline.push(e);
    onEvent(e);
  };
  /** What CloudFormation does when a custom resource answers FAILED to an update: it rolls the stack back. */
  let onUpdateFailed: (requestId: string) => void = () => undefined;
  installTransport(async (request) => {
    const response = await twin.handle(request);
    if (response.statusCode === 200) observeHistory(request, emit);
    return response;
  });
  const releaseHttp = captureHttpHost(http, CFN_HOST, (path, body) => {
    const parsed = JSON.parse(body);
    const requestId = path.slice(1);
    record.cfnResponses.push({ at: clock.now(), requestType: requestTypes.get(requestId) ?? '?', status: parsed.Status, reason: parsed.Reason });
    emit('cfn', `CloudFormation ${requestTypes.get(requestId) ?? ''} answered ${parsed.Status}${parsed.Reason ? `: ${parsed.Reason}` : ''}`);
    if (parsed.Status === 'FAILED' && requestTypes.get(requestId) === 'Update') onUpdateFailed(requestId);
  });
  const requestTypes = new Map<string, string>();

  try {
    const first = synth(scenario.initialVersion, 1);
    const deployed = new DeployedTemplate('SimulatedStack', first.template);
    const endpointName = first.endpointName;
    await deployResources(deployed, first, twin, host, clock);
    wireObservers(twin, record, emit, endpointName);

    let current = { synth: first, props: customResourceProps(deployed, first) };
    const learnVersion = (version: string, props: Record<string, unknown>) => {
      record.versionIds[versionIdOf(JSON.parse(String(props.Spec)).version)] = version;
    };
    learnVersion(scenario.initialVersion, current.props);
    let previous: typeof current | undefined;
    let cfnCount = 0;
    const sent = new Map<string, { props: Record<string, unknown>; oldProps?: Record<string, unknown> }>();
    const sendCfn = (requestType: 'Create' | 'Update', props: Record<string, unknown>, oldProps?: Record<string, unknown>) => {
      const requestId = `request-${++cfnCount}`;
      requestTypes.set(requestId, requestType);
      sent.set(requestId, { props, oldProps });
      const event = {
        RequestType: requestType,
        ServiceToken: deployed.arn(first.functions.deploy, 'Arn'),
        ResponseURL: `http://${CFN_HOST}/${requestId}`,
        StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/SimulatedStack/sim`,
        RequestId: requestId,
        LogicalResourceId: first.customResourceId,
        ResourceType: 'Custom::SageMakerRolloutEndpoint',
        ResourceProperties: props,
        ...(oldProps ? { OldResourceProperties: oldProps, PhysicalResourceId: endpointName } : {}),
      };
      host.invoke(deployed.arn(first.functions.deploy, 'Arn'), event).catch((error: Error) => emit('cfn', `deploy provider failed: ${error.message}`));
    };

    onUpdateFailed = (requestId) => {
      const failed = sent.get(requestId);
      if (!failed?.oldProps) return;
      setTimeout(() => {
        emit('deploy', 'CloudFormation rolls the stack back: the previous properties come back');
        sendCfn('Update', failed.oldProps!, failed.props);
        if (current.props === failed.props && previous) [current, previous] = [previous, current];
      }, 5_000);
    };
    emit('deploy', `cdk deploy: create endpoint ${endpointName} with ${scenario.initialVersion}`);
    sendCfn('Create', current.props);

    for (const entry of scenario.timeline) {
      setTimeout(() => {
        if (entry.deploy) {
          const next = synth(entry.deploy, entry.attempt ?? 1);
          const nextDeployed = new DeployedTemplate('SimulatedStack', next.template);
          redeployAlarms(nextDeployed, twin);
          previous = current;
          current = { synth: next, props: customResourceProps(nextDeployed, next) };
          learnVersion(entry.deploy, current.props);
          emit('deploy', `cdk deploy: ${entry.deploy}${entry.attempt ? ` (rolloutAttempt ${entry.attempt})` : ''}`);
          sendCfn('Update', current.props, previous.props);
        } else if (entry.stackRollback && previous) {
          emit('deploy', 'CloudFormation stack rollback: the previous properties come back');
          const back = previous;
          sendCfn('Update', back.props, current.props);
          previous = current;
          current = back;
        } else if (entry.approve || entry.reject) {
          void operator(() => operatorCommands().recordApproval({ endpointName, decision: entry.approve ? 'approve' : 'reject', by: (entry.approve ?? entry.reject)!, now: Date.now() }),
            `${entry.approve ?? entry.reject} ${entry.approve ? 'approves' : 'rejects'} the rollout`, emit);
        } else if (entry.rollback || entry.abort) {
          const request = entry.rollback ? 'rollback' : 'abort';
          const by = (entry.rollback ?? entry.abort)!;
          void operator(() => operatorCommands().interveneByOperator({ endpointName, request, by, reason: 'scenario operator action', now: Date.now() }), `${by} asks for a manual ${request}`, emit);
        } else if (entry.forceAlarm) {
          forceAlarm(twin, endpointName, entry.forceAlarm, emit);
        }
      }, entry.atMinute * 60_000);
    }

    let carry = 0;
    setInterval(() => {
      twin.runtime.observe(endpointName, clock.now());
      carry += scenario.requestsPerSecond;
      for (; carry >= 1; carry--) twin.runtime.invoke(endpointName);
    }, 1000);
    setInterval(() => twin.cloudwatch.evaluateDue(clock.now()), 10_000);

    const lastEntry = Math.max(0, ...scenario.timeline.map((t) => t.atMinute)) * 60_000;
    const hardEnd = SIMULATION_START + scenario.durationMinutes * 60_000;
    let quietSince: number | undefined;
    for (;;) {
      await settle();
      const running = [...twin.stepfunctions.executions.values()].some((e) => e.status === 'RUNNING');
      const now = clock.now();
      if (now >= hardEnd) break;
      if (now >= SIMULATION_START + lastEntry && !running) {
        quietSince ??= now;
        if (now - quietSince >= TAIL_MS) break;
      } else {
        quietSince = undefined;
      }
      clock.fireNext();
    }

    await collect(record, twin, endpointName);
    record.end = clock.now();
    return record;
  } finally {
    releaseHttp();
    uninstallTransport();
    clock.uninstall();
    Math.random = originalRandom;
    restoreEnv();
  }

  function newRecord(s: Scenario): RunRecorder {
    return {
      scenario: s, start: SIMULATION_START, end: SIMULATION_START, timeline: [], weights: [], alarms: [], requests: [], executions: [],
      history: [], state: undefined, rollouts: [], versionIds: {}, cfnResponses: [], regressedAt: {}, controlPlaneCalls: twin.calls, endpointName: '',
      guardAlarms: [],
    };
  }
}

/** Waits until every in-process request has been answered: then nothing can happen until the next timer. */
async function settle(): Promise<void> {
  let idle = 0;
  while (idle < 8) {
    await new Promise((resolve) => setImmediate(resolve));
    idle = requestsInFlight() === 0 ? idle + 1 : 0;
  }
}

/** Drives the clock until `done` holds (used while "CloudFormation" deploys the stack's resources). */
async function until(clock: VirtualClock, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    await settle();
    if (await done()) return;
    clock.fireNext();
  }
  throw new Error('the twin did not reach the expected state');
}

async function deployResources(t: DeployedTemplate, s: SynthesizedScenario, twin: ServiceTwin, host: FunctionHost, clock: VirtualClock) {
  const ddb = new DynamoDBClient({});
  for (const table of t.resources('AWS::DynamoDB::Table')) {
    const name = t.physicalName(table.id);
    const p = table.properties;
    await ddb.send(new CreateTableCommand({
      TableName: name, KeySchema: p.KeySchema, AttributeDefinitions: p.AttributeDefinitions,
      BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST', ...(p.ProvisionedThroughput ? { ProvisionedThroughput: p.ProvisionedThroughput } : {}),
    }));
    await until(clock, async () => (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus === 'ACTIVE');
  }
  redeployAlarms(t, twin);
  for (const rule of t.resources('AWS::Events::Rule')) {
    twin.eventbridge.rules.push({ name: t.physicalName(rule.id), pattern: rule.properties.EventPattern, targets: (rule.properties.Targets ?? []).map((x: { Arn: string }) => x.Arn) });
  }
  for (const machine of t.resources('AWS::StepFunctions::StateMachine')) {
    twin.stepfunctions.machines.set(t.arn(machine.id, 'Arn'), JSON.parse(machine.properties.DefinitionString));
  }
  let delivered = 0;
  twin.eventbridge.deliver = (target, event) => {
    host.invoke(target, { version: '0', id: `sim-event-${++delivered}`, account: ACCOUNT, region: REGION, ...event, time: new Date(event.time).toISOString() })
      .catch(() => undefined);
  };
  // The pre-bundled handlers the package ships (the code a deploy uploads), not the sources.
  const entries: Record<string, string> = {
    [s.functions.step]: path.join(handlerBundleDir('step'), 'index.js'),
    [s.functions.deploy]: path.join(handlerBundleDir('deploy'), 'index.js'),
    [s.functions.guardListener]: path.join(handlerBundleDir('guard-listener'), 'index.js'),
  };
  for (const fn of t.resources('AWS::Lambda::Function')) {
    const entry = entries[fn.id];
    if (!entry) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(entry) as { handler: LambdaHandler };
    host.register(t.arn(fn.id, 'Arn'), t.physicalName(fn.id), mod.handler, fn.properties.Environment?.Variables ?? {});
  }
}

function redeployAlarms(t: DeployedTemplate, twin: ServiceTwin) {
  for (const alarm of t.resources('AWS::CloudWatch::Alarm')) {
    twin.cloudwatch.putAlarm({ ...alarm.properties, AlarmName: t.physicalName(alarm.id) } as never);
  }
}

function customResourceProps(t: DeployedTemplate, s: SynthesizedScenario): Record<string, unknown> {
  const { ServiceToken: _token, ...props } = t.resolve(t.resource(s.customResourceId).Properties ?? {}) as Record<string, unknown>;
  return props;
}

function wireObservers(twin: ServiceTwin, r: RunRecorder, emit: (k: TimelineKind, t: string, d?: Record<string, unknown>) => void, endpointName: string) {
  r.endpointName = endpointName;
  twin.sagemaker.onChange = (name) => {
    if (name !== endpointName) return;
    const ep = twin.sagemaker.endpoints.get(name);
    const variants = twin.sagemaker.serving(name);
    const total = variants.reduce((s, v) => s + v.weight, 0);
    const slots = variants.map((v) => ({ slot: v.name, version: twin.runtime.versionOf(v.modelName), percent: total > 0 ? round((100 * v.weight) / total) : 0 }));
    const last = r.weights[r.weights.length - 1];
    const snapshot = { at: Date.now(), status: ep?.status ?? 'Deleted', slots };
    if (last && JSON.stringify(last.slots) === JSON.stringify(slots) && last.status === snapshot.status) return;
    r.weights.push(snapshot);
    twin.runtime.observe(name, Date.now());
    emit('weights', `${ep?.status ?? 'deleted'}: ${slots.map((s) => `${s.slot}(${s.version}) ${s.percent}%`).join(' / ') || 'no variants'}`);
  };
  twin.cloudwatch.onStateChange = (change) => {
    const slot = slotOf(change.alarm);
    r.alarms.push({ ...change, slot });
    emit('alarm', `${shortAlarm(change.alarm.AlarmName)}${slot ? ` [${slot}]` : ''}: ${change.from} -> ${change.to}`, { reason: change.reason });
    twin.eventbridge.publish({
      source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', resources: [change.arn], time: change.at,
      detail: { alarmName: change.alarm.AlarmName, state: { value: change.to, reason: change.reason, timestamp: new Date(change.at).toISOString() }, previousState: { value: change.from } },
    });
  };
  twin.stepfunctions.onExecutionEnd = (e) => emit('execution', `execution ${e.name} ${e.status}${e.cause ? `: ${e.cause}` : ''}`);
  twin.runtime.onRequest = (req) => r.requests.push(req);
}

/** The slot a guard alarm watches: its VariantName dimension (alarms users bring watch none in particular). */
export function slotOf(alarm: AlarmDefinition): string | undefined {
  const dims = alarm.Dimensions ?? alarm.Metrics?.flatMap((m) => m.MetricStat?.Metric.Dimensions ?? []) ?? [];
  return dims.find((d) => d.Name === 'VariantName')?.Value;
}

/** Decisions appear in the timeline as the controller writes them to its history. */
function observeHistory(request: { headers: Record<string, string>; body: string }, emit: (k: TimelineKind, t: string, d?: Record<string, unknown>) => void) {
  const target = request.headers['x-amz-target'] ?? '';
  if (!target.endsWith('.PutItem') && !target.endsWith('.TransactWriteItems')) return;
  const body = JSON.parse(request.body);
  const items = body.Item ? [body.Item] : (body.TransactItems ?? []).map((t: any) => t.Put?.Item).filter(Boolean);
  for (const raw of items) {
    const item = unmarshall(raw);
    if (typeof item.sk === 'string' && item.sk.startsWith('HISTORY#')) {
      emit('decision', `${item.decision}: ${item.reason}`, { actor: item.actor });
    }
  }
}

/** Loaded on first use, like the handlers: after the simulated environment (log level, region) is in place. */
function operatorCommands(): typeof import('../lambda/operator/commands') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../lambda/operator/commands');
}

/** An operator action through the CLI's code path, as the operator (not a Lambda) calling AWS. */
async function operator(action: () => Promise<unknown>, what: string, emit: (k: TimelineKind, t: string) => void) {
  emit('operator', what);
  try {
    await caller.run('operator', action);
  } catch (error) {
    emit('operator', `refused: ${(error as Error).message}`);
  }
}

function forceAlarm(twin: ServiceTwin, endpointName: string, which: 'candidate' | 'stable', emit: (k: TimelineKind, t: string) => void) {
  const variants = twin.sagemaker.serving(endpointName);
  const sorted = [...variants].sort((a, b) => a.weight - b.weight);
  const slot = which === 'candidate' ? sorted[0]?.name : sorted[sorted.length - 1]?.name;
  const alarm = [...twin.cloudwatch.alarms.values()].find((a) => JSON.stringify(a.definition).includes(`"Value":"${slot}"`));
  if (!alarm) {
    emit('fault', `drill: no guard alarm found for the ${which} slot`);
    return;
  }
  emit('fault', `drill: SetAlarmState ALARM on ${shortAlarm(alarm.definition.AlarmName)} (${which} slot ${slot})`);
  twin.cloudwatch.setAlarmState(alarm.definition.AlarmName, 'ALARM', `drill: forced ${which} alarm`);
}

async function collect(r: RunRecorder, twin: ServiceTwin, endpointName: string) {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const table = process.env.TABLE_NAME!;
  const items: Array<Record<string, any>> = [];
  let key: Record<string, any> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ENDPOINT#${endpointName}` }, ExclusiveStartKey: key }));
    items.push(...(page.Items ?? []));
    key = page.LastEvaluatedKey;
  } while (key);
  r.history = items.filter((i) => String(i.sk).startsWith('HISTORY#'));
  r.state = items.find((i) => i.sk === 'STATE');
  r.rollouts = items.filter((i) => String(i.sk).startsWith('ROLLOUT#'));
  r.executions = [...twin.stepfunctions.executions.values()].map((e) => ({
    arn: e.arn, name: e.name, status: e.status, startedAt: e.startedAt, stoppedAt: e.stoppedAt, states: e.states, output: e.output, error: e.error, cause: e.cause,
  }));
  r.regressedAt = Object.fromEntries(twin.runtime.regressedAt);
  r.guardAlarms = [...twin.cloudwatch.alarms.values()].map((a) => ({ name: a.definition.AlarmName, slot: slotOf(a.definition) }));
}

function setProcessEnv(): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'SIMULATOR',
    AWS_SECRET_ACCESS_KEY: 'SIMULATOR',
    AWS_SESSION_TOKEN: 'SIMULATOR',
    POWERTOOLS_LOG_LEVEL: process.env.SIM_LOG_LEVEL ?? 'SILENT',
    AWS_LAMBDA_FUNCTION_NAME: 'simulated',
  });
  delete process.env.AWS_PROFILE;
  return () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
}

function shortAlarm(name: string): string {
  return name.replace(/^SimulatedStack-/, '');
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
