import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EndpointSpec } from '../lambda/core/contract';
import type { DataQualityMetric } from './data-quality-app';
import { MODEL_BUCKET, MODEL_REPOSITORY, SynthesizedScenario, modelArtifact } from './scenario-app';
import { parseScenario, Scenario } from './scenario';
import { ACCOUNT, CfnResource, CfnTemplate, DeployedTemplate, REGION } from './template';

/**
 * What-if runs on a user's own CDK app: synthesize it as the CDK CLI does (the app command with `CDK_OUTDIR` set),
 * take one `BlueGreenEndpoint`'s custom resource from the cloud assembly, and let the simulator deploy that stack's
 * controller with the endpoint's own strategy, guards, approval and smoke test. Only the model version is the
 * scenario's (its versions' behaviour is what the what-if is about).
 */

const ENDPOINT_RESOURCE = 'Custom::SageMakerRolloutEndpoint';

/** The presets: scenario files of the repository (their `endpoint` part is replaced by the app's spec), inlined into
 * the CLI at build time. */
const PRESET_SCENARIOS: Record<string, unknown> = {
  healthy: require('../scenarios/healthy-canary-promoted.json'),
  'hard-failure': require('../scenarios/regression-rolled-back.json'),
  'latency-regression': require('../scenarios/latency-regression.json'),
  'lost-alarm-events': require('../scenarios/lost-alarm-events.json'),
};
export const PRESETS = Object.keys(PRESET_SCENARIOS);

/** A long enough horizon for any strategy: a run ends on its own two quiet minutes after the last rollout ends. */
const HORIZON_MINUTES = 24 * 60;

/** The scenarios a `--scenario` value names: a preset, a scenario file, or (absent) every preset. */
export function whatIfScenarios(choice: string | undefined): Scenario[] {
  if (choice === undefined) return PRESETS.map(preset);
  if (PRESET_SCENARIOS[choice]) return [preset(choice)];
  if (!fs.existsSync(choice) || !fs.statSync(choice).isFile()) {
    throw new Error(`--scenario ${choice}: neither a preset (${PRESETS.join(', ')}) nor a scenario .json file`);
  }
  return [parseScenario(fs.readFileSync(choice, 'utf8'), choice)];
}

function preset(name: string): Scenario {
  const scenario = parseScenario(JSON.stringify(PRESET_SCENARIOS[name]), `preset ${name}`);
  return { ...scenario, name, durationMinutes: Math.max(scenario.durationMinutes, HORIZON_MINUTES) };
}

/** Entities the routing clients call for when the app's endpoint uses cohort exposure and the scenario names none. */
const APP_ENTITIES = 2000;

/**
 * The scenario as the app's callers run it: an endpoint with cohort exposure is called through the routing client
 * (the presets call by weights), or its cohort steps and shadow phase would see no candidate traffic and end
 * inconclusive whatever the candidate does. Likewise a guard on counts the app publishes itself (`Guard.dataQuality`,
 * `Guard.inputValidity` with the callers' metrics): the app publishes them, at each version's `badDataRate` (0 in the
 * presets), or the judge would never see its total arrive and hold every step to its deadline.
 */
export function withAppCallers(scenario: Scenario, spec: EndpointSpec): Scenario {
  let called = scenario;
  if (spec.plan.cohort !== undefined && called.cohortClients === undefined) called = { ...called, cohortClients: { entities: APP_ENTITIES } };
  const published = appPublishedCounts(spec);
  if (published !== undefined && called.dataQualityMetric === undefined) called = { ...called, dataQualityMetric: published };
  return called;
}

/**
 * The first counted guard whose two counts the app publishes (not SageMaker's), as the scenario's data-quality metric;
 * the scenario publishes one namespace and one set of dimensions for both counts (a guard whose two metrics differ in
 * them is not published: give a scenario file with `dataQualityMetric`).
 */
function appPublishedCounts(spec: EndpointSpec): DataQualityMetric | undefined {
  for (const guard of spec.guards) {
    const counted = guard.judge?.counted;
    if (counted === undefined || counted.bad.namespace === 'AWS/SageMaker' || counted.total.namespace !== counted.bad.namespace) continue;
    if (JSON.stringify(counted.bad.dimensions) !== JSON.stringify(counted.total.dimensions)) continue;
    return {
      namespace: counted.bad.namespace,
      badMetricName: counted.bad.metricName,
      totalMetricName: counted.total.metricName,
      dimensions: counted.bad.dimensions.map((d) => ({ name: d.name, value: d.value })),
    };
  }
  return undefined;
}

/** The synthesized stacks of an app: stack name → template. */
export interface UserAssembly {
  readonly stacks: Record<string, CfnTemplate>;
}

/** Runs the app command as the CDK CLI would, with `CDK_OUTDIR` (and `cdk.json`'s context), and reads its templates. */
export function synthesizeUserApp(appCommand: string, cwd: string = process.cwd()): UserAssembly {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-simulate-'));
  const context = readCdkJsonContext(cwd);
  const run = spawnSync(appCommand, {
    cwd,
    shell: true,
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, ...(context ? { CDK_CONTEXT_JSON: JSON.stringify(context) } : {}) },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw new Error(`--app "${appCommand}" could not be started: ${run.error.message}`);
  if (run.status !== 0) {
    const tail = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`--app "${appCommand}" did not synthesize (exit code ${run.status}); fix the app so that \`cdk synth\` works. Its output ended with:\n${tail}`);
  }
  const manifestFile = path.join(outdir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`--app "${appCommand}" ran but wrote no cloud assembly to CDK_OUTDIR: give the command that runs your CDK app (the "app" of cdk.json), whose App synthesizes`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }> };
  const stacks: Record<string, CfnTemplate> = {};
  for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    stacks[name] = JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties.templateFile), 'utf8'));
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return { stacks };
}

function readCdkJsonContext(cwd: string): Record<string, unknown> | undefined {
  const file = path.join(cwd, 'cdk.json');
  if (!fs.existsSync(file)) return undefined;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context;
}

/** One endpoint of the app, found in its stack, with what the simulator needs to deploy it again for each version. */
export interface UserEndpoint {
  readonly stackName: string;
  readonly spec: EndpointSpec;
  /** The template and its controller's parts for the deploy of scenario version `version` at `attempt`. */
  synthesize(version: string, attempt: number): SynthesizedScenario;
}

/** Finds endpoint `endpointName` in the app's stacks; the error lists the endpoints there are. */
export function findUserEndpoint(assembly: UserAssembly, endpointName: string): UserEndpoint {
  const found: string[] = [];
  for (const [stackName, template] of Object.entries(assembly.stacks)) {
    const deployed = new DeployedTemplate(stackName, template);
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== ENDPOINT_RESOURCE) continue;
      const spec = JSON.parse(String(deployed.resolve(resource.Properties?.Spec))) as EndpointSpec;
      found.push(`${spec.endpointName} (stack ${stackName})`);
      if (spec.endpointName === endpointName) return userEndpoint(stackName, template, id, spec);
    }
  }
  throw new Error(found.length
    ? `--endpoint ${endpointName}: no BlueGreenEndpoint of that name in the app; it has ${found.join(', ')}`
    : `--endpoint ${endpointName}: the app has no BlueGreenEndpoint (no ${ENDPOINT_RESOURCE} resource in stacks ${Object.keys(assembly.stacks).join(', ') || '(none)'})`);
}

function userEndpoint(stackName: string, template: CfnTemplate, customResourceId: string, spec: EndpointSpec): UserEndpoint {
  const resources = template.Resources;
  const resource = resources[customResourceId]!;
  const deploy = getAttTarget(resource.Properties?.ServiceToken);
  const deployEnv = resources[deploy ?? '']?.Properties?.Environment?.Variables ?? {};
  const stateMachineId = refTarget(deployEnv.STATE_MACHINE_ARN);
  const tableId = refTarget(deployEnv.TABLE_NAME);
  const machine = resources[stateMachineId ?? ''];
  const step = machine && JSON.stringify(machine.Properties?.DefinitionString).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/)?.[1];
  const rule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties).includes('CloudWatch Alarm State Change'));
  const guardListener = getAttTarget(rule?.Properties?.Targets?.[0]?.Arn);
  if (!deploy || !stateMachineId || !tableId || !step || !guardListener) {
    throw new Error(`stack ${stackName}: the rollout controller of endpoint ${spec.endpointName} is not complete in the template (deploy ${deploy}, state machine ${stateMachineId}, table ${tableId}, step ${step}, guard listener ${guardListener})`);
  }
  // The twin runs one endpoint: keep this endpoint's resource and guard alarms, drop the other endpoints'.
  const guardAlarms = new Set(spec.guards.flatMap((g) => [...g.blue, ...g.green]));
  const deployed = new DeployedTemplate(stackName, template);
  const kept: Record<string, CfnResource> = {};
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === ENDPOINT_RESOURCE && id !== customResourceId) continue;
    if (r.Type === 'AWS::CloudWatch::Alarm' && !guardAlarms.has(deployed.physicalName(id))) continue;
    kept[id] = r;
  }
  return {
    stackName,
    spec,
    synthesize(version, attempt) {
      const artifact = modelArtifact(version);
      const declared: EndpointSpec = {
        ...spec,
        rolloutAttempt: attempt,
        version: {
          ...spec.version,
          image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${MODEL_REPOSITORY}@${artifact.digest}`,
          modelPackageArn: undefined,
          modelDataUrl: `s3://${MODEL_BUCKET}/${artifact.key}`,
          // The twin's artifact is a single-part upload declared by its SHA-256: the app's CRC64NVME (a multipart
          // upload of its own model) would be checked against it and refuse every version.
          modelDataSha256: artifact.sha256,
          modelDataCrc64Nvme: undefined,
        },
      };
      const endpointResource = { ...resource, Properties: { ...resource.Properties, Spec: JSON.stringify(declared) } };
      return {
        template: { ...template, Resources: { ...kept, [customResourceId]: endpointResource } },
        endpointName: spec.endpointName,
        customResourceId,
        functions: { step, deploy, guardListener },
        stateMachineId,
        tableId,
        // The twin serves the app's stack in its own account and region, with its own model data and image: the
        // stack's policies name the app's account, bucket and repository, which the twin does not have.
        iamUnchecked: 'a what-if of the app\'s stack runs in the twin\'s account with the twin\'s artifacts',
      };
    },
  };
}

function getAttTarget(value: unknown): string | undefined {
  const att = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(att) && att[1] === 'Arn' ? att[0] : undefined;
}

function refTarget(value: unknown): string | undefined {
  const ref = (value as { Ref?: string } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}
