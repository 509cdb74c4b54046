import { EVENT_DETAIL_TYPE } from '../../lambda/core';
import { Invariant, RunView } from './run-view';

const OPERATOR_DECISIONS = new Set(['operator-approve', 'operator-reject']);

/** When a rollout's approval gate opened and the first decision of that rollout after it (which closes the gate). */
function gateOf(view: RunView, rolloutId: string): { opened?: number; closed?: number } {
  const own = view.history.filter((h) => h.rolloutId === rolloutId);
  const opening = own.findIndex((h) => h.decision === 'approval-requested');
  if (opening < 0) return {};
  const closing = own.slice(opening + 1).find((h) => !OPERATOR_DECISIONS.has(String(h.decision)));
  return { opened: own[opening].at, closed: closing?.at };
}

/**
 * 11. An approval applies only to the rollout it names: an operator's decision is recorded only for a rollout whose
 * gate is open (after it opened and notified, before it closed), and a gate passes on an approval only when the
 * operator approved that very rollout while its gate was open. Every gate that opens notifies (SNS and an event).
 */
export const approvalNamesItsRollout: Invariant = {
  id: 11,
  name: 'an approval applies only to the rollout it names',
  check(view) {
    const { run, history } = view;
    const failures: string[] = [];
    const label = (rolloutId: string) => `rollout ${rolloutId} (${view.versionOf(rolloutId) ?? '?'})`;
    const openings = history.filter((h) => h.decision === 'approval-requested');
    for (const h of openings) {
      const notified = run.notifications.some((n) => n.at >= h.at && `${n.subject ?? ''}\n${n.message}`.includes(h.rolloutId));
      const announced = run.rolloutEvents.some((e) => e['detail-type'] === EVENT_DETAIL_TYPE.approvalRequested && e.detail.rolloutId === h.rolloutId);
      if (!notified) failures.push(`t=${view.t(h.at)}s: the gate of ${label(h.rolloutId)} opened without an SNS notification naming it`);
      if (!announced) failures.push(`t=${view.t(h.at)}s: the gate of ${label(h.rolloutId)} opened without a '${EVENT_DETAIL_TYPE.approvalRequested}' event`);
    }
    const decided = history.filter((h) => OPERATOR_DECISIONS.has(String(h.decision)));
    for (const h of decided) {
      const gate = gateOf(view, h.rolloutId);
      const open = gate.opened !== undefined && gate.opened <= h.at && (gate.closed === undefined || h.at <= gate.closed);
      if (!open) {
        const when = gate.opened === undefined ? 'its gate never opened' : `its gate was open from t=${view.t(gate.opened)}s to t=${gate.closed === undefined ? 'end' : `${view.t(gate.closed)}s`}`;
        failures.push(`t=${view.t(h.at)}s: ${h.actor}'s ${String(h.decision).replace('operator-', '')} was recorded for ${label(h.rolloutId)}, but ${when}`);
      }
    }
    // A gate decision that cites an approval record: the operator must have decided that rollout inside its open gate.
    const applied = history.filter((h) => !OPERATOR_DECISIONS.has(String(h.decision)) && (h.evidence as { approval?: unknown } | undefined)?.approval);
    for (const h of applied) {
      const approval = (h.evidence as { approval: { decision: string; by: string } }).approval;
      const gate = gateOf(view, h.rolloutId);
      const byOperator = decided.some((d) => d.rolloutId === h.rolloutId && d.decision === `operator-${approval.decision}` && d.actor === approval.by
        && gate.opened !== undefined && gate.opened <= d.at && d.at <= h.at);
      if (gate.opened === undefined || gate.opened > h.at) {
        failures.push(`t=${view.t(h.at)}s: ${label(h.rolloutId)} applied ${approval.by}'s ${approval.decision} (${h.decision}) before its gate opened`);
      } else if (!byOperator) {
        failures.push(`t=${view.t(h.at)}s: ${label(h.rolloutId)} applied ${approval.by}'s ${approval.decision} that was not decided for it at its open gate`);
      }
    }
    return {
      exercised: openings.length > 0 || decided.length > 0,
      failures,
      ok: `${openings.length} gate(s) opened and notified, ${decided.length} operator decision(s) each at its rollout's open gate`,
    };
  },
};
