import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { responseBody, sendCfnResponse } from '../../../lambda/aws/cfn-response';

const target = (responseUrl: string) => ({
  responseUrl,
  stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app/1',
  requestId: 'req-1',
  logicalResourceId: 'Endpoint',
  physicalResourceId: 'fraud-scorer',
});

describe('sendCfnResponse', () => {
  let server: http.Server;
  let url: string;
  const received: { method?: string; path?: string; contentType?: string; body: string }[] = [];
  let status = 200;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method, path: req.url, contentType: req.headers['content-type'], body });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned/path?X-Amz-Signature=abc`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    received.length = 0;
    status = 200;
  });

  test('PUTs the response document to the pre-signed URL with an empty content type', async () => {
    await sendCfnResponse(target(url), { status: 'SUCCESS', physicalResourceId: 'fraud-scorer', data: { VersionId: 'mv-1' } });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'PUT', path: '/presigned/path?X-Amz-Signature=abc', contentType: '' });
    expect(JSON.parse(received[0].body)).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: 'fraud-scorer',
      StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app/1',
      RequestId: 'req-1',
      LogicalResourceId: 'Endpoint',
      NoEcho: false,
      Data: { VersionId: 'mv-1' },
    });
  });

  test('rejects when the URL answers with an error status', async () => {
    status = 403;
    await expect(sendCfnResponse(target(url), { status: 'FAILED', physicalResourceId: 'x', reason: 'boom' })).rejects.toThrow('HTTP 403');
  });
});

test('responseBody keeps the document under 4096 bytes by shortening the reason', () => {
  const body = responseBody(target('https://example.com'), { status: 'FAILED', physicalResourceId: 'x', reason: 'é'.repeat(5000) });
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4096);
  expect(JSON.parse(body).Reason).toMatch(/^é+\.\.\.$/);
});

test('a FAILED response always has a reason', () => {
  expect(JSON.parse(responseBody(target('https://example.com'), { status: 'FAILED', physicalResourceId: 'x' })).Reason).toBe('failed without a reason');
});
