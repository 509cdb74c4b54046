import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand } from '@aws-sdk/client-sns';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../core';
import { eventbridge, sns } from './clients';
import { eventBusName } from './env';
import { errorMessage } from './errors';
import { logger } from './logger';

export type RolloutEventType = (typeof EVENT_DETAIL_TYPE)[keyof typeof EVENT_DETAIL_TYPE];

/** SNS subjects are printable ASCII "less than 100 characters long" (SNS API reference, Publish). */
const SUBJECT_MAX = 99;

/*
 * Announcements never fail a rollout or a rollback: the decision is already recorded in the state table, and a
 * missing notification must not stop traffic from returning to stable. Failures are logged.
 */

/** True when EventBridge accepted the event. */
export async function putRolloutEvent(detailType: RolloutEventType, detail: object, busName?: string): Promise<boolean> {
  try {
    const out = await eventbridge.send(
      new PutEventsCommand({
        Entries: [{ Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: busName ?? eventBusName() }],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      logger.warn('rollout event not delivered', { detailType, entries: out.Entries });
      return false;
    }
    return true;
  } catch (err) {
    logger.warn('rollout event not delivered', { detailType, error: errorMessage(err) });
    return false;
  }
}

export async function publishNotification(topicArn: string | undefined, subject: string, message: string): Promise<void> {
  if (topicArn === undefined) {
    return;
  }
  try {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subjectLine(subject), Message: message }));
  } catch (err) {
    logger.warn('notification not delivered', { topicArn, subject, error: errorMessage(err) });
  }
}

function subjectLine(subject: string): string {
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= SUBJECT_MAX ? ascii : `${ascii.slice(0, SUBJECT_MAX - 3)}...`;
}
