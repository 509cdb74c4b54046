import fc from 'fast-check';
import { EndpointSpec, EndpointState, decideRegistryApproval, registrySpec, rejectionDescription, versionIdOf } from '../../../lambda/core';

const pkg = (n: number, group = 'fraud-models') => `arn:aws:sagemaker:us-east-1:123456789012:model-package/${group}/${n}`;
const spec = (overrides: Partial<EndpointSpec> = {}): EndpointSpec => ({
  endpointName: 'fraud', rolloutAttempt: 1, waitForRollout: false, retainOnDelete: false, guards: [],
  plan: {} as EndpointSpec['plan'],
  version: { modelPackageArn: pkg(1), environment: {}, executionRoleArn: 'arn:aws:iam::123456789012:role/m', instanceType: 'ml.m5.large', initialInstanceCount: 1 },
  registry: { modelPackageGroupName: 'fraud-models' },
  ...overrides,
});
const idOf = (s: EndpointSpec, arn: string) => versionIdOf({ ...s.version, modelPackageArn: arn });
const state = (s: EndpointSpec, stableArn = pkg(1), extra: Partial<EndpointState> = {}): EndpointState => ({
  endpointName: 'fraud', phase: 'idle', revision: 1, spec: s,
  stable: { slot: 'blue', versionId: idOf(s, stableArn), configName: 'c', since: 0, modelPackageArn: stableArn }, ...extra,
} as EndpointState);
const approval = (arn: string, status = 'Approved', group = 'fraud-models') => ({ endpointName: 'fraud', modelPackageArn: arn, modelPackageGroupName: group, modelApprovalStatus: status });

describe('decideRegistryApproval', () => {
  test('an approved package of the group rolls out with the declared spec around it (policy from the stack, package from the registry)', () => {
    const s = spec();
    const decision = decideRegistryApproval({ approval: approval(pkg(2)), state: state(s) });
    expect(decision).toEqual({
      action: 'rollout', spec: { ...s, version: { ...s.version, modelPackageArn: pkg(2) } }, versionId: idOf(s, pkg(2)),
      reason: `package ${pkg(2)} approved in group fraud-models: roll out version ${idOf(s, pkg(2))}`,
    });
  });

  test('starts nothing for: another group, another status, no trigger, no endpoint yet, the stable package, the one rolling out, one rolled back at this attempt', () => {
    const s = spec();
    const ignored = (input: Parameters<typeof decideRegistryApproval>[0]) => decideRegistryApproval(input).action;
    expect(ignored({ approval: approval(pkg(2, 'other'), 'Approved', 'other'), state: state(s) })).toBe('ignore');
    expect(ignored({ approval: approval(pkg(2), 'Rejected'), state: state(s) })).toBe('ignore');
    expect(ignored({ approval: approval(pkg(2)), state: state(spec({ registry: undefined })) })).toBe('ignore');
    expect(ignored({ approval: approval(pkg(2)), state: undefined })).toBe('ignore');
    expect(ignored({ approval: approval(pkg(1)), state: state(s) })).toBe('ignore');
    expect(ignored({ approval: approval(pkg(2)), state: state(s, pkg(1), { candidate: { slot: 'green', versionId: idOf(s, pkg(2)), rolloutId: 'r2' } }) })).toBe('ignore');
    const again = decideRegistryApproval({ approval: approval(pkg(2)), state: state(s), rolledBackAttempt: 1 });
    expect(again).toEqual({ action: 'ignore', reason: expect.stringContaining("was rolled back at attempt 1: approving it again retries nothing; run 'cdk-sagemaker-rollout retry'") });
    expect(ignored({ approval: approval(pkg(2)), state: state(spec({ rolloutAttempt: 2 })), rolledBackAttempt: 1 })).toBe('rollout');
  });

  test('a repeated approval event (an earlier delivery started a rollout still running) starts nothing more', () => {
    expect(decideRegistryApproval({ approval: approval(pkg(2)), state: state(spec()), startedRollout: 'r7' })).toEqual({
      action: 'ignore', reason: `package ${pkg(2)} is already being rolled out by rollout r7 (a repeated approval event)`,
    });
  });

  test('an approval an earlier delivery recorded but whose rollout never began is started under that rollout id, with the same reason', () => {
    const s = spec();
    const fresh = decideRegistryApproval({ approval: approval(pkg(2)), state: state(s) });
    expect(decideRegistryApproval({ approval: approval(pkg(2)), state: state(s), recordedRollout: 'r7' })).toEqual({ ...fresh, rolloutId: 'r7' });
    // A rollout of it that began and runs still wins: nothing more starts.
    expect(decideRegistryApproval({ approval: approval(pkg(2)), state: state(s), recordedRollout: 'r7', startedRollout: 'r7' }).action).toBe('ignore');
    // The package became stable meanwhile (another path rolled it out): nothing starts.
    expect(decideRegistryApproval({ approval: approval(pkg(2)), state: state(s, pkg(2)), recordedRollout: 'r7' }).action).toBe('ignore');
  });

  test('an approval while the endpoint has no stable yet (its first version still being created) rolls out', () => {
    const s = spec();
    const creating = { endpointName: 'fraud', phase: 'rolling-out', revision: 1, spec: s } as EndpointState;
    expect(decideRegistryApproval({ approval: approval(pkg(2)), state: creating }).action).toBe('rollout');
  });

  test('an approval never rolls out the stable\'s package nor anything outside the group (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom('fraud-models', 'other'), fc.constantFrom('Approved', 'Rejected', 'PendingManualApproval'),
      (stable, approved, group, status) => {
        const s = spec();
        const decision = decideRegistryApproval({ approval: approval(pkg(approved, group), status, group), state: state(s, pkg(stable)) });
        const expected = group === 'fraud-models' && status === 'Approved' && approved !== stable;
        expect(decision.action).toBe(expected ? 'rollout' : 'ignore');
        if (decision.action === 'rollout') expect(decision.spec.version.modelPackageArn).toBe(pkg(approved, group));
      }));
  });
});

describe('registrySpec: which source of truth wins on a deploy', () => {
  test('following a group, a deploy keeps the package the registry last promoted; everything else is the stack\'s', () => {
    const declared = spec({ version: { ...spec().version, instanceType: 'ml.c5.xlarge' } });
    expect(registrySpec(declared, pkg(4)).version).toEqual({ ...declared.version, modelPackageArn: pkg(4) });
  });

  test('without a group, before any stable, or for an image version, the declared spec stands', () => {
    expect(registrySpec(spec({ registry: undefined }), pkg(4))).toEqual(spec({ registry: undefined }));
    expect(registrySpec(spec(), undefined)).toEqual(spec());
    const image = spec({ version: { ...spec().version, modelPackageArn: undefined, image: 'x@sha256:1' } });
    expect(registrySpec(image, pkg(4))).toEqual(image);
  });
});

test('the rejection description carries the evidence within ApprovalDescription\'s 1024 characters', () => {
  expect(rejectionDescription('r1', 'guard error-rate in ALARM')).toBe('Rejected by cdk-sagemaker-rollout: rollout r1 rolled back: guard error-rate in ALARM');
  const long = rejectionDescription('r1', 'x'.repeat(5000));
  expect(long).toHaveLength(1024);
  expect(long.endsWith('...')).toBe(true);
  // Exactly at the limit, nothing is cut.
  const prefix = 'Rejected by cdk-sagemaker-rollout: rollout r1 rolled back: ';
  const exact = rejectionDescription('r1', 'y'.repeat(1024 - prefix.length));
  expect(exact).toBe(prefix + 'y'.repeat(1024 - prefix.length));
});
