import { PassThrough } from 'node:stream';
import { WireRequest, WireResponse } from '../transport';

// dynalite ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite: (options: Record<string, unknown>) => { listeners(event: 'request'): Array<(req: unknown, res: unknown) => void> } = require('dynalite');

/**
 * DynamoDB: the `dynalite` package (DynamoDB's own validation, condition expressions, queries), driven in-process:
 * its HTTP request listener is called with an in-memory request and response instead of a socket.
 */
export class DynamoDbTwin {
  private readonly listener: (req: unknown, res: unknown) => void;

  constructor() {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    this.listener = server.listeners('request')[0];
  }

  handle(request: WireRequest): Promise<WireResponse> {
    return new Promise((resolve) => {
      const req = Object.assign(new PassThrough(), { method: request.method, url: request.path, headers: request.headers });
      const headers: Record<string, string> = {};
      let statusCode = 200;
      const res = {
        get statusCode() { return statusCode; },
        set statusCode(code: number) { statusCode = code; },
        setHeader(name: string, value: unknown) { headers[name.toLowerCase()] = String(value); },
        writeHead(code: number, extra?: Record<string, unknown>) {
          statusCode = code;
          for (const [k, v] of Object.entries(extra ?? {})) headers[k.toLowerCase()] = String(v);
        },
        end(body?: string | Buffer) {
          resolve({ statusCode, headers, body: body ?? '' });
        },
      };
      this.listener(req, res);
      req.end(request.body);
    });
  }
}
