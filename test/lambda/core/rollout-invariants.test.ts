import * as fc from 'fast-check';
import { Slot, SmokeResult } from '../../../lambda/core';
import { scenarioArb } from './rollout-arbitraries';
import { CheckRecord, playRollout, Scenario, Trace } from './rollout-model';

/**
 * DESIGN.md safety invariants 1, 2, 5, 8 and 9, checked on rollouts played by the decision core over random plans and
 * random sequences of guard readings. The oracles below read the observation directly, not through the core.
 */

const RUNS = 600;

function isBreach(check: CheckRecord, scenario: Scenario): boolean {
  return scenario.candidateAlarms.some((name) => check.observation.alarms[name] === 'ALARM');
}

/** Some candidate guard is not readable as OK/ALARM, or the invocation count is not a usable number. */
function hasUnknownData(check: CheckRecord, scenario: Scenario): boolean {
  const { alarms, unreadable, candidateInvocations } = check.observation;
  const alarmUnknown = scenario.candidateAlarms.some(
    (name) => unreadable.includes(name) || alarms[name] === undefined || alarms[name] === 'INSUFFICIENT_DATA',
  );
  const countUnknown = candidateInvocations === undefined || !Number.isFinite(candidateInvocations) || candidateInvocations < 0;
  return alarmUnknown || countUnknown;
}

function hasTooFewInvocations(check: CheckRecord, scenario: Scenario): boolean {
  const count = check.observation.candidateInvocations;
  return count !== undefined && count < scenario.plan.steps[check.progress.stepIndex].minInvocations;
}

const elapsedMs = (check: CheckRecord) => check.now - check.progress.stepStartedAt;
const stepOf = (check: CheckRecord, scenario: Scenario) => scenario.plan.steps[check.progress.stepIndex];
const stableOnly = (stable: Slot, candidate: Slot) => ({ [stable]: 100, [candidate]: 0 }) as Record<Slot, number>;

/** The same scenario with one candidate guard in ALARM at one check, when there is a guard and a check. */
const breachedScenarioArb = scenarioArb.chain((scenario) =>
  fc.record({ tick: fc.nat(), alarm: fc.nat() }).map(({ tick, alarm }) => {
    if (scenario.ticks.length === 0 || scenario.candidateAlarms.length === 0) {
      return scenario;
    }
    const ticks = [...scenario.ticks];
    const at = tick % ticks.length;
    const readings = [...ticks[at].readings];
    readings[alarm % readings.length] = 'ALARM';
    ticks[at] = { ...ticks[at], readings };
    return { ...scenario, ticks };
  }),
);

function play(property: (scenario: Scenario, trace: Trace) => void, arbitrary = scenarioArb): void {
  fc.assert(
    fc.property(arbitrary, (scenario) => property(scenario, playRollout(scenario))),
    { numRuns: RUNS },
  );
}

describe('rollout invariants (property-based)', () => {
  test('invariant 1: the stable slot is untouched until the 100% step baked green with enough invocations, then promoted', () => {
    play((scenario, trace) => {
      const initial = { slot: scenario.stableSlot, versionId: scenario.stableVersionId };
      const { candidateSlot } = trace;
      const touched = trace.checks.filter(
        (check) => check.decision.next !== 'promote' && (check.stableAfter.slot !== initial.slot || check.stableAfter.versionId !== initial.versionId),
      );
      expect(touched).toEqual([]);
      // Steps are entered one after the other: the 100% step is reached only through every earlier step.
      const skipped = trace.checks.filter((check) => check.decision.next === 'shift' && check.decision.stepIndex !== check.progress.stepIndex + 1);
      expect(skipped).toEqual([]);
      // Until the 100% step is entered, the stable slot keeps part of the traffic.
      const starved = trace.weightChanges.filter(({ weights }) => weights[candidateSlot] < 100 && !(weights[scenario.stableSlot] > 0));
      expect(starved).toEqual([]);
      if (trace.outcome !== 'promoted') {
        expect(trace.stable).toEqual(initial);
        return;
      }
      const last = trace.checks[trace.checks.length - 1];
      const step = stepOf(last, scenario);
      expect(last.decision.next).toBe('promote');
      expect(last.progress.stepIndex).toBe(scenario.plan.steps.length - 1);
      expect(step.percent).toBe(100);
      expect(last.weightsBefore[candidateSlot]).toBe(100);
      for (const name of scenario.candidateAlarms) {
        expect(last.observation.alarms[name]).toBe('OK');
        expect(last.observation.unreadable).not.toContain(name);
      }
      expect(last.observation.candidateInvocations).toBeGreaterThanOrEqual(step.minInvocations);
      expect(elapsedMs(last)).toBeGreaterThanOrEqual(step.bakeSeconds * 1000);
      expect(trace.stable).toEqual({ slot: candidateSlot, versionId: scenario.candidateVersionId });
    });
  });

  test('invariant 2: weights always sum to 100, and the candidate gets no traffic before its smoke test passed', () => {
    play((scenario, trace) => {
      const badTotals = [...trace.weightChanges.map((change) => change.weights), ...trace.checks.map((check) => check.weightsAfter)].filter(
        (weights) => weights.blue + weights.green !== 100 || weights.blue < 0 || weights.green < 0,
      );
      expect(badTotals).toEqual([]);
      const trafficBeforeSmoke = trace.weightChanges.filter(({ weights, smokePassed }) => !smokePassed && weights[trace.candidateSlot] !== 0);
      expect(trafficBeforeSmoke).toEqual([]);
      if (trace.smoke.passed) {
        // Traffic was given, so the smoke test really passed: every payload answered well by the candidate.
        const { smokeSpec, smokeResults } = scenario;
        const answeredWell = (result: SmokeResult) =>
          result.ok && result.invokedVariant === trace.candidateSlot && (result.body ?? '').includes(smokeSpec?.expectBodyContains ?? '');
        const noPayloads = smokeSpec === undefined || smokeSpec.payloads.length === 0;
        expect(noPayloads || (smokeResults.length === smokeSpec.payloads.length && smokeResults.every(answeredWell))).toBe(true);
      } else {
        expect(trace.checks).toHaveLength(0);
        expect(trace.weightChanges.every(({ weights }) => weights[trace.candidateSlot] === 0)).toBe(true);
        expect(trace.finalWeights).toEqual(stableOnly(scenario.stableSlot, trace.candidateSlot));
      }
    });
  });

  test('invariant 5: a candidate guard in ALARM ends the rollout at once with 100% on the stable slot', () => {
    play((scenario, trace) => {
      const breachAt = trace.checks.findIndex((check) => isBreach(check, scenario));
      if (breachAt < 0) {
        return;
      }
      expect(trace.outcome).toBe('rolled-back');
      expect(breachAt).toBe(trace.checks.length - 1);
      expect(trace.checks[breachAt].decision.next).toBe('rollback');
      expect(trace.finalWeights).toEqual(stableOnly(scenario.stableSlot, trace.candidateSlot));
      for (const check of trace.checks.slice(breachAt)) {
        expect(check.weightsAfter[trace.candidateSlot]).toBeLessThanOrEqual(check.weightsBefore[trace.candidateSlot]);
      }
    }, breachedScenarioArb);
  });

  test('invariant 8: unknown data never advances a step or promotes, and rolls back past the deadline', () => {
    play((scenario, trace) => {
      for (const check of trace.checks) {
        if (isBreach(check, scenario)) {
          continue;
        }
        const unknown = hasUnknownData(check, scenario);
        const tooFew = !unknown && hasTooFewInvocations(check, scenario);
        const step = stepOf(check, scenario);
        if (unknown || tooFew) {
          expect(['bake', 'await-approval', 'rollback']).toContain(check.decision.next);
        }
        if (unknown && elapsedMs(check) >= step.deadlineSeconds * 1000) {
          expect(check.decision.next).toBe('rollback');
        }
        // The invocation floor is judged once the bake time is over.
        if (tooFew && elapsedMs(check) >= Math.max(step.deadlineSeconds, step.bakeSeconds) * 1000) {
          expect(check.decision.next).toBe('rollback');
        }
      }
      // A step that saw nothing but unknown data, once past its deadline, ends the rollout inconclusive: traffic back on
      // the LKG, no verdict on the candidate.
      const stepChecks = new Map<number, CheckRecord[]>();
      for (const check of trace.checks) {
        stepChecks.set(check.progress.stepIndex, [...(stepChecks.get(check.progress.stepIndex) ?? []), check]);
      }
      for (const checks of stepChecks.values()) {
        const step = stepOf(checks[0], scenario);
        const allUnknown = checks.every((check) => !isBreach(check, scenario) && hasUnknownData(check, scenario));
        const pastDeadline = checks.findIndex((check) => elapsedMs(check) >= step.deadlineSeconds * 1000);
        if (allUnknown && pastDeadline >= 0) {
          expect(trace.outcome).toBe('inconclusive');
          expect(checks[pastDeadline]).toBe(trace.checks[trace.checks.length - 1]);
        }
      }
    });
  });

  test('invariant 9: no step advances or promotes before the metrics of its whole bake have arrived', () => {
    play((scenario, trace) => {
      for (const check of trace.checks.filter((c) => c.decision.next === 'shift' || c.decision.next === 'promote')) {
        const through = check.observation.candidateMetricsThrough;
        const bakeMs = stepOf(check, scenario).bakeSeconds * 1000;
        const covered = through === undefined ? 0 : Math.max(0, Math.min(check.now, through) - check.progress.stepStartedAt);
        expect(covered).toBeGreaterThanOrEqual(bakeMs);
      }
    });
  });

  test('invariant 11: an operator decision passes or closes the gate only after the gate opened (and notified)', () => {
    play((_scenario, trace) => {
      for (const check of trace.checks) {
        if (/(approved|rejected) by/.test(check.decision.reason)) {
          expect(check.progress.approvalRequestedAt).toBeDefined();
        }
      }
    });
  });

  test('a rollback is a verdict (rolled-back) only on a breach or a rejection; a deadline or a gate without a decision is inconclusive', () => {
    play((scenario, trace) => {
      const last = trace.checks[trace.checks.length - 1];
      if (last?.decision.next !== 'rollback') {
        return;
      }
      // A rejection judges only when the gate was open (the decision names it).
      const judged = isBreach(last, scenario) || last.decision.reason.includes('rejected by');
      expect(trace.outcome).toBe(judged ? 'rolled-back' : 'inconclusive');
      expect(trace.finalWeights).toEqual(stableOnly(scenario.stableSlot, trace.candidateSlot));
    });
  });

  test('the generated scenarios reach every kind of ending, so the properties above are exercised', () => {
    const traces = fc.sample(scenarioArb, 1000).map((scenario) => ({ scenario, trace: playRollout(scenario) }));
    const count = (predicate: (t: { scenario: Scenario; trace: Trace }) => boolean) => traces.filter(predicate).length;
    const lastReason = ({ trace }: { trace: Trace }) => trace.checks[trace.checks.length - 1]?.decision.reason ?? '';
    const tally = {
      promoted: count(({ trace }) => trace.outcome === 'promoted'),
      smokeFailed: count(({ trace }) => !trace.smoke.passed),
      breach: count(({ scenario, trace }) => trace.checks.some((check) => isBreach(check, scenario))),
      noDataPastDeadline: count((t) => lastReason(t).startsWith('inconclusive: no data past deadline')),
      tooFewPastDeadline: count((t) => lastReason(t).startsWith('inconclusive: too few invocations past deadline')),
      gateOpened: count(({ trace }) => trace.checks.some((check) => check.decision.next === 'await-approval')),
      gateTimedOut: count(({ trace }) => trace.checks.some((check) => check.decision.reason.includes('got no decision'))),
      approved: count(({ trace }) => trace.checks.some((check) => check.decision.reason.includes('approved by'))),
      rejected: count((t) => lastReason(t).includes('rejected by')),
      unfinished: count(({ trace }) => trace.outcome === 'unfinished'),
    };
    // Each kind shows up in roughly 3-25% of scenarios; fewer than 1% would mean a generator stopped producing it.
    const rare = Object.entries(tally).filter(([, n]) => n < 10);
    expect(rare).toEqual([]);
  });
});
