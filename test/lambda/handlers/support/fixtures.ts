import { ProductionVariant } from '@aws-sdk/client-sagemaker';
import {
  EndpointSpec,
  EndpointState,
  ModelVersionSpec,
  RolloutContext,
  RolloutPlan,
  Slot,
  endpointConfigName,
  modelName,
  versionIdOf,
} from '../../../../lambda/core';
import { FakeTable } from './fake-table';

export const ENDPOINT = 'fraud-scorer';
export const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
/** The custom resource that declares the endpoint in the handler tests (stack + logical id). */
export const OWNER = { stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app/1', logicalResourceId: 'FraudEndpoint' };
export const EXECUTION_ARN = 'arn:aws:states:us-east-1:111122223333:execution:rollout:fraud-scorer-r1';
export const IMAGE_DIGEST = 'sha256:' + 'ab'.repeat(32);

export function version(overrides: Partial<ModelVersionSpec> = {}): ModelVersionSpec {
  return {
    image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/fraud@${IMAGE_DIGEST}`,
    modelDataUrl: 's3://models/fraud/v2/model.tar.gz',
    environment: { MODEL_NAME: 'fraud' },
    executionRoleArn: 'arn:aws:iam::111122223333:role/sagemaker',
    instanceType: 'ml.m5.large',
    initialInstanceCount: 2,
    ...overrides,
  };
}

export function plan(overrides: Partial<RolloutPlan> = {}): RolloutPlan {
  return {
    steps: [
      { percent: 10, bakeSeconds: 300, minInvocations: 20, deadlineSeconds: 1800 },
      { percent: 100, bakeSeconds: 300, minInvocations: 20, deadlineSeconds: 1800 },
    ],
    checkIntervalSeconds: 60,
    provisionPollSeconds: 30,
    provisionTimeoutSeconds: 1800,
    revertWindowSeconds: 600,
    concurrency: 'supersede',
    ...overrides,
  };
}

export function spec(overrides: Partial<EndpointSpec> = {}): EndpointSpec {
  return {
    endpointName: ENDPOINT,
    version: version(),
    plan: plan(),
    guards: [{ name: 'errors', blue: ['fraud-errors-blue'], green: ['fraud-errors-green'] }],
    smokeTest: { payloads: ['{"amount":12}'], contentType: 'application/json', expectBodyContains: 'score' },
    notificationTopicArn: 'arn:aws:sns:us-east-1:111122223333:rollouts',
    rolloutAttempt: 0,
    waitForRollout: false,
    retainOnDelete: false,
    ...overrides,
  };
}

/** The version that serves as stable in the scenarios (on blue). */
export const STABLE_VERSION = version({ modelDataUrl: 's3://models/fraud/v1/model.tar.gz' });
export const STABLE_ID = versionIdOf(STABLE_VERSION);
export const CANDIDATE_ID = versionIdOf(version());
export const STABLE_CONFIG = endpointConfigName(ENDPOINT, 'r000000001-aaaaaa', ['blue']);

export function context(overrides: Partial<RolloutContext> = {}): RolloutContext {
  return {
    rolloutId: 'r00000000a-bbbbbb',
    kind: 'rollout',
    spec: spec(),
    trigger: { by: 'cloudformation', reason: 'stack update' },
    versionId: CANDIDATE_ID,
    stableSlot: 'blue',
    stableVersionId: STABLE_ID,
    candidateSlot: 'green',
    ...overrides,
  };
}

export function stableOnly(overrides: Partial<EndpointState> = {}): EndpointState {
  return {
    endpointName: ENDPOINT,
    phase: 'idle',
    stable: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, since: T0 - 86_400_000 },
    weights: { blue: 100, green: 0 },
    spec: spec({ version: STABLE_VERSION }),
    owner: { ...OWNER, since: T0 - 86_400_000 },
    revision: 4,
    ...overrides,
  };
}

/** A rollout of `context()` in progress: lock held, candidate on green. */
export function rollingOut(overrides: Partial<EndpointState> = {}): EndpointState {
  const ctx = context();
  return stableOnly({
    phase: 'rolling-out',
    candidate: { slot: 'green', versionId: CANDIDATE_ID, rolloutId: ctx.rolloutId },
    lock: { rolloutId: ctx.rolloutId, executionArn: EXECUTION_ARN, since: T0 - 600_000 },
    spec: ctx.spec,
    ...overrides,
  });
}

export function putState(table: FakeTable, state: EndpointState): void {
  table.put({ pk: `ENDPOINT#${state.endpointName}`, sk: 'STATE', ...state });
}

export function putRecord(table: FakeTable, sk: string, item: object, endpointName = ENDPOINT): void {
  table.put({ pk: `ENDPOINT#${endpointName}`, sk, ...item });
}

/** The stable's version record, as its registration wrote it (what Provision and Retire verify its model data against). */
export function putStableVersion(table: FakeTable, spec: ModelVersionSpec = STABLE_VERSION): void {
  putRecord(table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec, registeredAt: T0 - 9e6, registeredBy: 'cloudformation' });
}

export function variant(slot: Slot, versionId: string, weight: number): ProductionVariant {
  return {
    VariantName: slot,
    ModelName: modelName(ENDPOINT, versionId, slot),
    InstanceType: 'ml.m5.large',
    InitialInstanceCount: 3,
    InitialVariantWeight: weight,
  };
}

export const CANARY_CONFIG = endpointConfigName(ENDPOINT, 'r00000000a-bbbbbb', ['blue', 'green']);
