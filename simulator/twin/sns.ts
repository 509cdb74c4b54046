import { WireRequest, WireResponse } from '../transport';

/** Subjects must be shorter than this. */
const SUBJECT_LIMIT = 100;

export interface Notification { at: number; topicArn: string; subject?: string; message: string }

/** SNS Publish (AWS Query protocol): notifications are kept for the timeline. */
export class SnsTwin {
  readonly published: Notification[] = [];

  handle(request: WireRequest): WireResponse {
    const form = new URLSearchParams(request.body);
    const action = form.get('Action');
    if (action !== 'Publish') return queryError('InvalidAction', `the twin does not implement ${action}`);
    const topicArn = form.get('TopicArn') ?? '';
    if (!/^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(topicArn)) return queryError('InvalidParameter', `Invalid parameter: TopicArn ${topicArn}`);
    const message = form.get('Message') ?? '';
    if (!message) return queryError('InvalidParameter', 'Invalid parameter: Empty message');
    // "Subject ... must be less than 100 characters long" (SNS API reference, Publish); whether AWS takes exactly 100 is
    // unsettled (moto does), so the twin takes the documented bound. The error's wording is unverified.
    const subject = form.get('Subject') ?? undefined;
    if (subject !== undefined && subject.length >= SUBJECT_LIMIT) return queryError('InvalidParameter', 'Invalid parameter: Subject');
    this.published.push({ at: Date.now(), topicArn, subject, message });
    const id = `sim-${this.published.length}`;
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  }
}

function queryError(code: string, message: string): WireResponse {
  return {
    statusCode: 400,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>sim</RequestId></ErrorResponse>`,
  };
}
