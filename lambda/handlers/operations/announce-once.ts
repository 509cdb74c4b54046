import { isAnnounced, markAnnounced } from '../../aws/rollout-records';

/**
 * Announces a rollout's rollback or revert once, whoever gets there: the call that recorded the decision, or a retry
 * of it that finds the decision taken and the traffic already moved (its first attempt failed between the flip and
 * the announcement). `announce` sends the event (true when delivered) and publishes the rollback's figures; the
 * rollout record is marked only after delivery, so a failure before it leaves the announcement to the next call. A
 * failure between delivery and the mark, or two callers racing to it, sends it twice: a repeat is the lesser failure
 * (the event's detail names the rollout, so a consumer can tell), a lost rollback announcement the greater.
 */
export async function announceOnce(endpointName: string, rolloutId: string, now: number, announce: () => Promise<boolean>): Promise<void> {
  if (await isAnnounced(endpointName, rolloutId)) return;
  if (await announce()) await markAnnounced(endpointName, rolloutId, now);
}
