import {
  AlarmStateValue,
  ApprovalRecord,
  decideStep,
  GuardObservation,
  judgeSmokeTest,
  otherSlot,
  RolloutPlan,
  Slot,
  SmokeResult,
  SmokeTestSpec,
  StepDecision,
  StepProgress,
  weightsFor,
} from '../../../lambda/core';

/**
 * A pure driver that plays one rollout with the decision core, the way the state machine does: stable slot at 100%,
 * smoke test, then one `decideStep` per check interval over a scripted sequence of guard readings, applying
 * `weightsFor` on shift and rollback, until promote or rollback or the script ends. Property tests check the
 * safety invariants on the trace it returns.
 */

/** How one guard alarm read at one check. */
export type GuardReading = AlarmStateValue | 'unreadable' | 'absent';

/** What the world looks like at one check. */
export interface Tick {
  /** One reading per candidate guard alarm, in the order of `Scenario.candidateAlarms`. */
  readonly readings: GuardReading[];
  /** The stable slot's own alarm: never a candidate guard, so it must not change any decision. */
  readonly stableAlarm: AlarmStateValue;
  /** Candidate invocations since the step started; undefined when unreadable. */
  readonly invocations?: number;
  /** How far behind now the candidate's metrics have arrived; undefined when none has arrived. */
  readonly metricsLagSeconds?: number;
  /** An operator writes this decision at this check; it stays in the table afterwards. */
  readonly writesApproval?: 'approve' | 'reject';
}

export interface Scenario {
  readonly plan: RolloutPlan;
  readonly stableSlot: Slot;
  readonly stableVersionId: string;
  readonly candidateVersionId: string;
  readonly candidateAlarms: string[];
  readonly smokeSpec?: SmokeTestSpec;
  readonly smokeResults: SmokeResult[];
  readonly startAt: number;
  readonly ticks: Tick[];
}

export interface StableRecord {
  readonly slot: Slot;
  readonly versionId: string;
}

/** One weight change applied to the endpoint. */
export interface WeightChange {
  readonly cause: 'start' | 'shift' | 'rollback';
  readonly weights: Record<Slot, number>;
  readonly smokePassed: boolean;
}

/** One check: what was seen, what was decided, and the endpoint after applying it. */
export interface CheckRecord {
  readonly now: number;
  readonly progress: StepProgress;
  readonly observation: GuardObservation;
  readonly approval?: ApprovalRecord;
  readonly weightsBefore: Record<Slot, number>;
  readonly decision: StepDecision;
  readonly weightsAfter: Record<Slot, number>;
  readonly stableAfter: StableRecord;
}

export interface Trace {
  readonly candidateSlot: Slot;
  readonly smoke: { passed: boolean; reason: string };
  readonly weightChanges: WeightChange[];
  readonly checks: CheckRecord[];
  readonly outcome: 'promoted' | 'rolled-back' | 'inconclusive' | 'unfinished';
  readonly stable: StableRecord;
  readonly finalWeights: Record<Slot, number>;
}

export function observe(tick: Tick, candidateAlarms: string[], stableSlot: Slot, now: number): GuardObservation {
  const alarms: Record<string, AlarmStateValue> = { [`stable-only-${stableSlot}`]: tick.stableAlarm };
  const unreadable: string[] = [];
  candidateAlarms.forEach((name, i) => {
    const reading = tick.readings[i] ?? 'absent';
    if (reading === 'unreadable') {
      unreadable.push(name);
    } else if (reading !== 'absent') {
      alarms[name] = reading;
    }
  });
  const candidateMetricsThrough = tick.metricsLagSeconds === undefined ? undefined : now - tick.metricsLagSeconds * 1000;
  return { at: now, alarms, unreadable, candidateInvocations: tick.invocations, candidateMetricsThrough };
}

export function playRollout(scenario: Scenario): Trace {
  const { plan, stableSlot, candidateAlarms } = scenario;
  const candidateSlot = otherSlot(stableSlot);
  const stable: StableRecord = { slot: stableSlot, versionId: scenario.stableVersionId };
  let weights = weightsFor(stableSlot, 0);
  const weightChanges: WeightChange[] = [{ cause: 'start', weights, smokePassed: false }];
  const checks: CheckRecord[] = [];
  const end = (outcome: Trace['outcome'], finalStable: StableRecord): Trace => ({
    candidateSlot,
    smoke,
    weightChanges,
    checks,
    outcome,
    stable: finalStable,
    finalWeights: weights,
  });

  const smoke = judgeSmokeTest(scenario.smokeSpec, candidateSlot, scenario.smokeResults);
  if (!smoke.passed) {
    weights = weightsFor(stable.slot, 0);
    weightChanges.push({ cause: 'rollback', weights, smokePassed: false });
    return end('rolled-back', stable);
  }

  let now = scenario.startAt;
  let progress: StepProgress = { stepIndex: 0, stepStartedAt: now };
  weights = weightsFor(stable.slot, plan.steps[0].percent);
  weightChanges.push({ cause: 'shift', weights, smokePassed: true });
  let approval: ApprovalRecord | undefined;

  for (const tick of scenario.ticks) {
    now += plan.checkIntervalSeconds * 1000;
    if (tick.writesApproval !== undefined) {
      approval = { decision: tick.writesApproval, by: 'operator', at: now };
    }
    const observation = observe(tick, candidateAlarms, stableSlot, now);
    const decision = decideStep({ plan, progress, candidateAlarms, observation, approval, now });
    const weightsBefore = weights;
    const progressBefore = progress;
    let stableAfter = stable;
    switch (decision.next) {
      case 'bake':
      case 'await-approval':
        progress = { ...progress, approvalRequestedAt: decision.approvalRequestedAt };
        break;
      case 'shift':
        progress = { stepIndex: decision.stepIndex, stepStartedAt: now };
        weights = weightsFor(stable.slot, plan.steps[decision.stepIndex].percent);
        weightChanges.push({ cause: 'shift', weights, smokePassed: true });
        break;
      case 'rollback':
        weights = weightsFor(stable.slot, 0);
        weightChanges.push({ cause: 'rollback', weights, smokePassed: true });
        break;
      case 'promote':
        stableAfter = { slot: candidateSlot, versionId: scenario.candidateVersionId };
        break;
    }
    checks.push({ now, progress: progressBefore, observation, approval, weightsBefore, decision, weightsAfter: weights, stableAfter });
    if (decision.next === 'promote') {
      return end('promoted', stableAfter);
    }
    if (decision.next === 'rollback') {
      return end(decision.inconclusive ? 'inconclusive' : 'rolled-back', stable);
    }
  }
  return end('unfinished', stable);
}
