import { createHash } from 'node:crypto';
import { ServiceError } from './wire';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

interface Message { id: string; body: string; sentAt: number; inFlight: boolean }
interface Queue { name: string; url: string; arn: string; policy?: string; messages: Message[] }

/**
 * SQS as the probe meets it (AWS JSON 1.0 protocol): a queue that an EventBridge rule targets, read with
 * ReceiveMessage. A received message stays hidden until deleted (the probe deletes what it reads); SentTimestamp is
 * when the message reached the queue ("the time the message was sent to the queue (epoch time in milliseconds)",
 * ReceiveMessage API reference), which times an EventBridge delivery.
 */
export class SqsTwin {
  readonly queues = new Map<string, Queue>();
  private sent = 0;

  operations(): Record<string, (input: any) => unknown> {
    return {
      CreateQueue: (i) => {
        const name = String(i.QueueName ?? '');
        if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new ServiceError('InvalidParameterValue', `Invalid queue name ${name}`);
        const queue = this.queues.get(name) ?? { name, url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`, arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`, messages: [] };
        this.queues.set(name, queue);
        return { QueueUrl: queue.url };
      },
      GetQueueAttributes: (i) => ({ Attributes: { QueueArn: this.byUrl(i.QueueUrl).arn } }),
      SetQueueAttributes: (i) => { this.byUrl(i.QueueUrl).policy = i.Attributes?.Policy; return {}; },
      ListQueues: (i) => ({ QueueUrls: [...this.queues.values()].filter((q) => q.name.startsWith(i.QueueNamePrefix ?? '')).map((q) => q.url) }),
      ReceiveMessage: (i) => {
        const queue = this.byUrl(i.QueueUrl);
        const max = i.MaxNumberOfMessages ?? 1;
        if (max < 1 || max > 10) throw new ServiceError('InvalidParameterValue', 'MaxNumberOfMessages must be between 1 and 10');
        const taken = queue.messages.filter((m) => !m.inFlight).slice(0, max);
        for (const m of taken) m.inFlight = true;
        return {
          Messages: taken.map((m) => ({
            MessageId: m.id, ReceiptHandle: m.id, Body: m.body, MD5OfBody: createHash('md5').update(m.body).digest('hex'),
            Attributes: { SentTimestamp: String(m.sentAt) },
          })),
        };
      },
      DeleteMessage: (i) => {
        const queue = this.byUrl(i.QueueUrl);
        queue.messages = queue.messages.filter((m) => m.id !== i.ReceiptHandle);
        return {};
      },
      DeleteQueue: (i) => { this.queues.delete(this.byUrl(i.QueueUrl).name); return {}; },
    };
  }

  /** A message sent to the queue with this ARN (EventBridge's delivery to a queue target); dropped if it does not exist. */
  deliver(arn: string, body: string): void {
    const queue = [...this.queues.values()].find((q) => q.arn === arn);
    queue?.messages.push({ id: `sim-msg-${++this.sent}`, body, sentAt: Date.now(), inFlight: false });
  }

  private byUrl(url: string): Queue {
    const queue = [...this.queues.values()].find((q) => q.url === url);
    if (!queue) throw new ServiceError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return queue;
  }
}
