import * as fc from 'fast-check';
import { AlarmStateValue, RolloutPlan, Slot, SmokeResult, SmokeTestSpec, StepPlan } from '../../../lambda/core';
import { GuardReading, Scenario, Tick } from './rollout-model';

/** Random rollout scenarios for the property tests: plans, smoke outcomes and scripts of guard readings. */

const PERCENTS = [0.5, 1, 2.5, 5, 10, 20, 25, 33.3333, 50, 75, 90, 99.5];

function stepArb(percent: number, interval: number): fc.Arbitrary<StepPlan> {
  return fc
    .record({
      bakeSeconds: fc.integer({ min: 0, max: 4 * interval }),
      // Mostly a deadline after the bake, sometimes a shorter one.
      deadlineExtra: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 6 * interval }) },
        { weight: 1, arbitrary: fc.integer({ min: -4 * interval, max: 0 }) },
      ),
      minInvocations: fc.constantFrom(0, 1, 10, 100),
    })
    .map(({ bakeSeconds, deadlineExtra, minInvocations }) => ({
      percent,
      bakeSeconds,
      deadlineSeconds: Math.max(0, bakeSeconds + deadlineExtra),
      minInvocations,
    }));
}

export const planArb: fc.Arbitrary<RolloutPlan> = fc
  .record({
    interval: fc.constantFrom(10, 30, 60),
    // Familiar percents, and arbitrary fractions that only sum to 100 when weightsFor rounds them.
    percents: fc
      .uniqueArray(fc.oneof(fc.constantFrom(...PERCENTS), fc.double({ min: 0.0001, max: 99.9999, noNaN: true })), { maxLength: 3 })
      .map((ps) => [...ps.sort((a, b) => a - b), 100]),
  })
  .chain(({ interval, percents }) =>
    fc.record({
      steps: fc.tuple(...percents.map((percent) => stepArb(percent, interval))),
      approval:
        percents.length < 2
          ? fc.constant(undefined)
          : fc.option(
              fc.record({
                beforeStep: fc.integer({ min: 1, max: percents.length - 1 }),
                timeoutSeconds: fc.integer({ min: 0, max: 4 * interval }),
                onTimeout: fc.constantFrom<'rollback' | 'promote'>('rollback', 'promote'),
              }),
              { nil: undefined },
            ),
      checkIntervalSeconds: fc.constant(interval),
    }),
  )
  .map(({ steps, approval, checkIntervalSeconds }) => ({
    steps,
    checkIntervalSeconds,
    provisionPollSeconds: 30,
    provisionTimeoutSeconds: 1800,
    revertWindowSeconds: 600,
    concurrency: 'supersede' as const,
    ...(approval === undefined ? {} : { approval }),
  }));

const weighted = <T>(...choices: [number, T][]): fc.Arbitrary<T> =>
  fc.oneof(...choices.map(([weight, value]) => ({ weight, arbitrary: fc.constant(value) })));

/** Guard readings of five kinds of checks: clean, thin traffic, noisy (unknowns, no breach), silent (nothing known), anything. */
const cleanReading = fc.constant<GuardReading>('OK');
const noisyReading = weighted<GuardReading>([12, 'OK'], [2, 'INSUFFICIENT_DATA'], [1, 'unreadable'], [1, 'absent']);
const silentReading = weighted<GuardReading>([3, 'INSUFFICIENT_DATA'], [1, 'unreadable'], [1, 'absent'], [1, 'OK']);
const anyReading = weighted<GuardReading>([12, 'OK'], [1, 'ALARM'], [1, 'INSUFFICIENT_DATA'], [1, 'unreadable'], [1, 'absent']);

const plentyInvocations = fc.integer({ min: 100, max: 100_000 });
const anyInvocations = fc.oneof(
  { weight: 5, arbitrary: plentyInvocations },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 120 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, -1) },
);
const silentInvocations = fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 5 }));
const stableAlarmArb = weighted<AlarmStateValue>([3, 'OK'], [1, 'ALARM'], [1, 'INSUFFICIENT_DATA']);
/** Mostly nothing; now and then an operator approves, more rarely rejects. */
const approvalArb = weighted<'approve' | 'reject' | undefined>([40, undefined], [2, 'approve'], [1, 'reject']);

/** Metrics mostly on time, often a minute or two late, sometimes none arrived. */
const metricsLagArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 240 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

function ticksArb(alarmCount: number, reading: fc.Arbitrary<GuardReading>, invocations: fc.Arbitrary<number | undefined>) {
  const tick: fc.Arbitrary<Tick> = fc.record({
    readings: fc.array(reading, { minLength: alarmCount, maxLength: alarmCount }),
    stableAlarm: stableAlarmArb,
    invocations,
    metricsLagSeconds: metricsLagArb,
    writesApproval: approvalArb,
  });
  return fc.array(tick, { maxLength: 40, size: 'max' });
}

const smokeSpec: SmokeTestSpec = { payloads: ['{"x":1}', '{"x":2}'], contentType: 'application/json', expectBodyContains: 'score' };

function smokeArb(candidate: Slot): fc.Arbitrary<{ smokeSpec?: SmokeTestSpec; smokeResults: SmokeResult[] }> {
  const good: SmokeResult = { ok: true, invokedVariant: candidate, body: '{"score":1}' };
  return weighted<{ smokeSpec?: SmokeTestSpec; smokeResults: SmokeResult[] }>(
    [16, { smokeSpec, smokeResults: [good, good] }],
    [4, { smokeResults: [] }],
    [1, { smokeSpec, smokeResults: [good, { ok: false, error: 'ModelError' }] }],
    [1, { smokeSpec, smokeResults: [{ ...good, invokedVariant: candidate === 'blue' ? 'green' : 'blue' }, good] }],
    [1, { smokeSpec, smokeResults: [good, { ...good, body: '{}' }] }],
    [1, { smokeSpec, smokeResults: [good] }],
  );
}

export const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    plan: planArb,
    stableSlot: fc.constantFrom<Slot>('blue', 'green'),
    alarmCount: fc.integer({ min: 0, max: 3 }),
  })
  .chain(({ plan, stableSlot, alarmCount }) => {
    const candidate: Slot = stableSlot === 'blue' ? 'green' : 'blue';
    const candidateAlarms = ['errors', 'latency', 'business-kpi'].slice(0, alarmCount).map((guard) => `${guard}-${candidate}`);
    return fc.record({
      plan: fc.constant(plan),
      stableSlot: fc.constant(stableSlot),
      stableVersionId: fc.constant('mv-000000stable'),
      candidateVersionId: fc.constant('mv-0000candidate'),
      candidateAlarms: fc.constant(candidateAlarms),
      smoke: smokeArb(candidate),
      startAt: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
      ticks: fc.oneof(
        ticksArb(alarmCount, cleanReading, plentyInvocations),
        ticksArb(alarmCount, cleanReading, fc.integer({ min: 0, max: 120 })),
        ticksArb(alarmCount, noisyReading, anyInvocations),
        ticksArb(alarmCount, silentReading, silentInvocations),
        ticksArb(alarmCount, anyReading, anyInvocations),
      ),
    });
  })
  .map(({ smoke, ...rest }) => ({ ...rest, ...smoke }));
