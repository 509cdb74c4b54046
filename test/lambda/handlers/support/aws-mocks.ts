import { CloudWatchClient, DescribeAlarmHistoryCommand } from '@aws-sdk/client-cloudwatch';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeSageMaker } from './fake-sagemaker';
import { FakeTable } from './fake-table';

/** Every AWS client the controller uses, mocked; fakes for the two with state (table, SageMaker). */
export function mockAws() {
  const mocks = {
    table: new FakeTable(),
    sagemaker: new FakeSageMaker(),
    runtime: mockClient(SageMakerRuntimeClient),
    sfn: mockClient(SFNClient),
    cloudwatch: mockClient(CloudWatchClient),
    events: mockClient(EventBridgeClient),
    sns: mockClient(SNSClient),
    s3: mockClient(S3Client),
    ecr: mockClient(ECRClient),
    serviceQuotas: mockClient(ServiceQuotasClient),
    autoScaling: mockClient(ApplicationAutoScalingClient),
  };
  const defaults = () => {
    mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    // No endpoint usage quota listed: SageMaker decides at the call (tests set one with serviceQuotas.on(...)).
    mocks.serviceQuotas.on(ListServiceQuotasCommand).resolves({ Quotas: [] });
    // No alarm changed state since the check's start point (tests give a history with cloudwatch.on(...)).
    mocks.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [] });
  };
  defaults();
  return {
    ...mocks,
    /** Call in beforeEach: clears recorded calls, fake contents and per-test behaviour. */
    reset(): void {
      mocks.table.reset();
      mocks.sagemaker.reset();
      for (const mock of [mocks.runtime, mocks.sfn, mocks.cloudwatch, mocks.events, mocks.sns, mocks.s3, mocks.ecr, mocks.serviceQuotas, mocks.autoScaling]) {
        mock.reset();
      }
      defaults();
    },
  };
}
