import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export interface CfnAnswer {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** Stands in for CloudFormation's pre-signed response URL: a local HTTP server that keeps every PUT body. */
export class CfnServer {
  readonly answers: CfnAnswer[] = [];
  private server?: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        this.answers.push(JSON.parse(body) as CfnAnswer);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/cfn-response`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:111122223333:function:deploy';

/**
 * A CloudFormation request to the deploy provider for the handler tests' endpoint resource (stack `app`, logical id
 * `FraudEndpoint`), answered to `responseUrl`; `spec` is the Spec property as sent (a string: hand-edited or truncated).
 */
export function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', spec: string, responseUrl: string, physicalResourceId: string,
  extra: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app/1',
    RequestId: `req-${requestType}`,
    LogicalResourceId: 'FraudEndpoint',
    ResourceType: 'Custom::SageMakerRolloutEndpoint',
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, Spec: spec },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: physicalResourceId }),
    ...(requestType === 'Update' ? { OldResourceProperties: {} } : {}),
    ...extra,
  } as CloudFormationCustomResourceEvent;
}
