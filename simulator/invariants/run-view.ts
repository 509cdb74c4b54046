import type { TimelineEntry } from '../scenario';
import type { RunRecord, WeightSnapshot } from '../simulation';
import { byText } from '../order';

/** Seconds with one decimal, for failure messages and summaries. */
export const seconds = (ms: number) => Math.round(ms / 100) / 10;
/** The last segment of a caller ARN (an execution or function name). */
export const short = (caller: string | undefined) => (caller ?? 'unknown').split(':').pop()!;

export function snapshotAt(weights: WeightSnapshot[], at: number): WeightSnapshot | undefined {
  let found: WeightSnapshot | undefined;
  for (const w of weights) if (w.at <= at) found = w;
  return found;
}

export function percentOf(w: WeightSnapshot, version: string): number {
  return w.slots.filter((s) => s.version === version).reduce((sum, s) => sum + s.percent, 0);
}

/**
 * The queries every invariant asks of one run, computed once: the history in write order, which version a rollout
 * rolled out, the LKG at any time, and the weight snapshots while the endpoint existed.
 */
export class RunView {
  readonly history: RunRecord['history'];
  readonly live: WeightSnapshot[];
  private readonly lkgChanges: Array<{ at: number; version: string }> = [];

  constructor(readonly run: RunRecord) {
    this.history = [...run.history].sort((a, b) => byText(String(a.sk), String(b.sk)));
    this.live = run.weights.filter((w) => w.slots.length > 0);
    // The LKG over time: the create's version, then each promotion, back again on a revert.
    for (const h of this.history) {
      if (h.decision === 'promoted') this.lkgChanges.push({ at: h.at, version: this.versionOf(h.rolloutId) ?? '?' });
      if (h.decision === 'reverted' && this.lkgChanges.length > 1) this.lkgChanges.push({ at: h.at, version: this.lkgChanges[this.lkgChanges.length - 2].version });
    }
  }

  /** The scenario's name for the version a rollout rolled out. */
  versionOf(rolloutId: string): string | undefined {
    const r = this.run.rollouts.find((x) => x.rolloutId === rolloutId);
    return r ? this.run.versionIds[r.versionId] ?? r.versionId : undefined;
  }

  lkgAt(at: number): string | undefined {
    let v: string | undefined;
    for (const c of this.lkgChanges) if (c.at <= at) v = c.version;
    return v;
  }

  /**
   * The version a deploy at `at` declares. Following a Model Registry group, the stack declares the group and the
   * policy and the registry chooses the package: once the endpoint has an LKG, a deploy declares that (lambda/core/
   * registry-decision.ts), whatever package its `modelVersion` names.
   */
  declaredVersion(label: string, at: number): string {
    return this.run.scenario.endpoint.modelPackageGroup !== undefined ? this.lkgAt(at) ?? label : label;
  }

  snapshotAt(at: number): WeightSnapshot | undefined {
    return snapshotAt(this.run.weights, at);
  }

  /**
   * When a timeline entry took effect: a stack operation (a deploy, a stack rollback) waits for the one in progress
   * (CloudFormation runs one at a time), so it runs when the simulator says it did; undefined when it never ran (it
   * found nothing to roll back, or still waited at the end). Any other entry acts at its minute.
   */
  ranAt(entry: TimelineEntry): number | undefined {
    if (!entry.deploy && !entry.stackRollback) return this.run.start + entry.atMinute * 60_000;
    const index = this.run.scenario.timeline.indexOf(entry);
    return this.run.timeline.find((e) => e.kind === 'deploy' && e.data?.timelineIndex === index)?.at;
  }

  /**
   * State changes of the endpoint's guard alarms (not of other alarms, such as the children of a user's composite
   * alarm), each with the slot it watched then. An alarm the user brought (`Guard.alarm`) watches both slots, so
   * whatever the candidate is (lambda/core/alarm-decision.ts): the slot serving a version other than the LKG while one
   * does (or, with cohort exposure, the exposed slot), else the LKG's.
   */
  guardAlarmChanges(): Array<RunRecord['alarms'][number] & { slot: string }> {
    const guards = new Map(this.run.guardAlarms.map((g) => [g.name, g]));
    return this.run.alarms.flatMap((change) => {
      const guard = guards.get(change.alarm.AlarmName);
      if (!guard) return [];
      const slot = guard.slot ?? this.watchedSlotAt(change.at);
      return slot ? [{ ...change, slot }] : [];
    });
  }

  /** The slot an alarm watching both slots judges at `at`: the candidate's while one serves, else the LKG's. */
  private watchedSlotAt(at: number): string | undefined {
    const lkg = this.lkgAt(at);
    const slots = this.snapshotAt(at)?.slots ?? [];
    const exposed = this.exposedSlotAt(at);
    const candidate = slots.find((s) => s.version !== lkg && (s.percent > 0 || s.slot === exposed));
    return candidate?.slot ?? slots.find((s) => s.version === lkg && s.percent > 0)?.slot;
  }

  /**
   * When a rollout was asked for: the deploy provider's decision (`deploy-rollout`, `deploy-create`), which may be well
   * before its execution records its start (a Lambda throttling spell, a network stall); its start otherwise.
   */
  askedAt(rollout: Record<string, any>): number {
    return Math.min(rollout.startedAt,
      this.history.find((h) => h.rolloutId === rollout.rolloutId && String(h.decision).startsWith('deploy-'))?.at ?? Infinity);
  }

  /**
   * Guard breaches during a rollout: a slot's alarm went to ALARM while that slot served a version other than the LKG,
   * with the first snapshot after it that had 100% on the LKG and none on that version (undefined: never recovered).
   */
  breaches(): Breach[] {
    const found: Breach[] = [];
    for (const alarm of this.guardAlarmChanges().filter((x) => x.to === 'ALARM')) {
      const lkg = this.lkgAt(alarm.at);
      // A slot serves by its weight, or (cohort exposure) by the exposure plan steering a cohort to it at weight 0.
      const exposed = this.exposedSlotAt(alarm.at);
      const candidate = this.snapshotAt(alarm.at)?.slots.find((s) => s.slot === alarm.slot && s.version !== lkg && (s.percent > 0 || s.slot === exposed));
      if (!candidate || !lkg) continue;
      // With cohort exposure, traffic is back on the LKG once the weights are and the plan no longer steers a cohort.
      const ended = this.run.cohort ? this.exposureEndedAfter(alarm.at) : alarm.at;
      const recovered = ended === undefined ? undefined : this.onLkgFrom(Math.max(alarm.at, ended), lkg, candidate.version);
      found.push({ alarm, lkg, version: candidate.version, recovered });
    }
    return found;
  }

  /** The first weights from `from` on with 100% on the LKG and none on `version` (those in force at `from`, if they are). */
  private onLkgFrom(from: number, lkg: string, version: string): WeightSnapshot | undefined {
    const onLkg = (x: WeightSnapshot) => x.slots.some((s) => s.version === lkg && s.percent === 100) && percentOf(x, version) === 0;
    const current = this.snapshotAt(from);
    if (current && onLkg(current) && this.run.cohort) return { ...current, at: from };
    return this.run.weights.find((x) => x.at >= from && onLkg(x));
  }

  /** The slot the exposure plan in force at `at` steers a cohort to (cohort exposure), if any. */
  exposedSlotAt(at: number): string | undefined {
    let plan: { state?: string; candidateVariant?: string } | undefined;
    for (const w of this.run.cohort?.planWrites ?? []) if (w.at <= at) plan = JSON.parse(w.value);
    return plan?.state === 'exposing' ? plan.candidateVariant : undefined;
  }

  /** When the exposure plan first stopped steering a cohort at or after `at` (scrubbed or idle); undefined: never. */
  exposureEndedAfter(at: number): number | undefined {
    return this.run.cohort?.planWrites.find((w) => w.at >= at && JSON.parse(w.value).state !== 'exposing')?.at;
  }

  /** The judge's verdicts: each check that found a candidate worse on its counts (a breach without an alarm). */
  judgedWorse(): JudgedBreach[] {
    const found: JudgedBreach[] = [];
    for (const h of this.history) {
      const judgement = (h.evidence as { judgement?: { answer?: string } } | undefined)?.judgement;
      if (h.decision !== 'guards-failed' || judgement?.answer !== 'worse') continue;
      const version = this.versionOf(h.rolloutId);
      const lkg = this.lkgAt(h.at);
      if (!version || !lkg) continue;
      const ended = this.run.cohort ? this.exposureEndedAfter(h.at) : h.at;
      const recovered = ended === undefined ? undefined : this.onLkgFrom(Math.max(h.at, ended), lkg, version);
      found.push({ at: h.at, lkg, version, recovered });
    }
    return found;
  }

  /**
   * The time by which the controller can have acted on something it heard of at `at`, given `withinMs` to act: a
   * network stall holds every call a function makes until the stall ends (simulation.ts), so each stall inside the
   * window lengthens it by the part of it that falls there.
   */
  actedBy(at: number, withinMs: number): number {
    let deadline = at + withinMs;
    const stalls = (this.run.scenario.faults?.networkStall ?? [])
      .map((w) => ({ from: this.run.start + w.fromMinute * 60_000, to: this.run.start + w.toMinute * 60_000 }))
      .sort((a, b) => a.from - b.from);
    for (const w of stalls) if (w.from <= deadline && w.to > at) deadline += w.to - Math.max(w.from, at);
    return deadline;
  }

  /** Seconds since the run started, for messages. */
  t(at: number): number {
    return seconds(at - this.run.start);
  }
}

export interface Breach {
  readonly alarm: RunRecord['alarms'][number];
  readonly lkg: string;
  /** The version the breached slot served. */
  readonly version: string;
  readonly recovered?: WeightSnapshot;
}

export interface JudgedBreach {
  readonly at: number;
  readonly lkg: string;
  readonly version: string;
  readonly recovered?: WeightSnapshot;
}

/** One safety invariant, checked over a run's whole timeline. */
export interface Invariant {
  readonly id: number;
  readonly name: string;
  check(view: RunView): InvariantCheck;
}

export interface InvariantCheck {
  /** Whether the run gave the invariant something to check (a run without a breach cannot test invariant 5). */
  readonly exercised: boolean;
  readonly failures: string[];
  /** What held, said when nothing failed. */
  readonly ok: string;
}
