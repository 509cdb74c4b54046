import { decideCalendar } from '../../core';
import { markReleaseWindow } from '../../aws/rollout-records';
import { Action, record } from './action-kit';

/**
 * The release calendar, checked once the rollout holds the lock and before anything is provisioned: inside a window the
 * rollout goes on; outside it waits (Wait state until `releaseWindowOpensAt`, then here again), holding the lock so a
 * newer deploy supersedes it as usual and `status` shows the wait. Each wait is recorded once (`release-window-wait`),
 * and so is the go after one (`release-window-open`). A rollout that started is never held again: the calendar decides
 * when changes start, not when a started one may finish (docs/ARCHITECTURE.md, "Release calendar").
 */
export const checkCalendar: Action = async (context, env) => {
  const { spec, rolloutId } = context;
  const calendar = spec.releaseCalendar;
  const decision = decideCalendar(calendar, context, env.now);
  switch (decision.action) {
    case 'go':
      if (context.releaseWindowOpensAt !== undefined) {
        await record(context, env.now, 'release-window-open', decision.reason, { evidence: { waitedUntil: context.releaseWindowOpensAt, timeZone: calendar?.timeZone } });
        await markReleaseWindow(spec.endpointName, rolloutId, null);
      }
      return { ...context, releaseWindowOpensAt: undefined, next: 'continue' };
    case 'wait': {
      const opensAt = new Date(decision.opensAt).toISOString();
      if (context.releaseWindowOpensAt !== opensAt) {
        await record(context, env.now, 'release-window-wait', decision.reason, { evidence: { opensAt, timeZone: calendar!.timeZone } });
        await markReleaseWindow(spec.endpointName, rolloutId, { opensAt: decision.opensAt, timeZone: calendar!.timeZone, reason: decision.reason });
      }
      return { ...context, releaseWindowOpensAt: opensAt, next: 'calendar-wait' };
    }
    case 'refuse':
      await record(context, env.now, 'release-window-refused', decision.reason);
      return { ...context, outcome: 'aborted', reason: decision.reason, next: 'release' };
  }
};
