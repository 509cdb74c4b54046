import '../handlers/support/env';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { publishNotification } from '../../../lambda/aws/announcements';

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

/** SNS Publish: the Subject "must be ASCII text that begins with a letter, number, or punctuation mark; must not include
 * line breaks or control characters; and must be less than 100 characters long" (SNS API reference, Publish). */
describe('publishNotification keeps the subject within what SNS accepts', () => {
  test('a subject of 100 characters or more is cut to 99, ending with an ellipsis', async () => {
    const endpoint = 'e'.repeat(57);
    await publishNotification('arn:aws:sns:us-east-1:123456789012:t', `Approval needed: ${endpoint} rollout 20261203T002100-abcdef`, 'body');
    const subject = sns.commandCalls(PublishCommand)[0].args[0].input.Subject!;
    expect(subject).toHaveLength(99);
    expect(subject.endsWith('...')).toBe(true);
  });

  test('a shorter subject goes as it is, non-ASCII characters replaced', async () => {
    await publishNotification('arn:aws:sns:us-east-1:123456789012:t', 'Rollout rolled-back: churn → v2', 'body');
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { Subject: 'Rollout rolled-back: churn ? v2' });
  });
});
