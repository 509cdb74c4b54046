import { PassThrough, Readable } from 'node:stream';
import { HttpResponse } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** A request as the SDK serialized it: method, host, path, query, headers and body bytes. */
export interface WireRequest {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly query: Record<string, string | string[] | null>;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface WireResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

export type WireHandler = (request: WireRequest) => Promise<WireResponse> | WireResponse;

let routeRequest: WireHandler | undefined;
/** Waits before a request is served (a network stall), or never ends (the caller's invocation was stopped). */
let holdRequest: (request: WireRequest) => Promise<void> | undefined = () => undefined;
let inFlight = 0;
let queue: Promise<unknown> = Promise.resolve();
const original = NodeHttpHandler.prototype.handle;

/**
 * Routes every AWS SDK v3 request of this process to the service twin instead of a socket. The SDK's own
 * serializers, signers and deserializers run unchanged; only the bytes never leave the process, which keeps the
 * simulation deterministic on the virtual clock. Requests are served one at a time in arrival order.
 */
export function installTransport(handler: WireHandler): void {
  routeRequest = handler;
  NodeHttpHandler.prototype.handle = async function handle(request: {
    method: string; hostname: string; path: string; query?: Record<string, string | string[] | null>;
    headers: Record<string, string>; body?: unknown;
  }) {
    const wire: WireRequest = {
      method: request.method,
      hostname: request.hostname,
      path: request.path,
      query: request.query ?? {},
      headers: lowerCaseKeys(request.headers),
      body: await bodyText(request.body),
    };
    await holdRequest(wire);
    // A Lambda Invoke waits for a function that runs on the virtual clock (a user's hook taking its time): it is
    // neither queued ahead of other requests nor counted in flight, or the clock would never advance to end it. The
    // function's own requests are counted as usual.
    const invokesFunction = wire.hostname.startsWith('lambda.');
    if (!invokesFunction) inFlight++;
    const served = invokesFunction ? Promise.resolve().then(() => routeRequest!(wire)) : queue.then(() => routeRequest!(wire));
    if (!invokesFunction) queue = served.catch(() => undefined);
    try {
      const res = await served;
      const body = typeof res.body === 'string' ? Buffer.from(res.body) : res.body;
      return {
        response: new HttpResponse({
          statusCode: res.statusCode,
          headers: { 'content-length': String(body.length), ...res.headers },
          body: Readable.from([body]),
        }),
      };
    } finally {
      if (!invokesFunction) inFlight--;
    }
  } as typeof NodeHttpHandler.prototype.handle;
}

/** Sets what holds requests before they are served (undone by uninstallTransport). */
export function holdRequests(hold: (request: WireRequest) => Promise<void> | undefined): void {
  holdRequest = hold;
}

export function uninstallTransport(): void {
  NodeHttpHandler.prototype.handle = original;
  routeRequest = undefined;
  holdRequest = () => undefined;
}

/** Requests accepted but not yet answered. */
export function requestsInFlight(): number {
  return inFlight;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

async function bodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  // Buffer.from(view) would call the SDK's JSON body adapter's valueOf(); copy the bytes instead.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  return String(body);
}

/**
 * CloudFormation's pre-signed response URL, answered in-process: node:http requests to `host` are handed to
 * `receive` (the deploy provider PUTs its custom resource response there), every other request goes out as usual.
 */
export function captureHttpHost(httpModule: typeof import('node:http'), host: string, receive: (path: string, body: string) => void): () => void {
  const originalRequest = httpModule.request;
  const patched = ((...args: unknown[]) => {
    const url = args[0] instanceof URL ? args[0] : typeof args[0] === 'string' ? new URL(args[0]) : undefined;
    if (!url || url.hostname !== host) return (originalRequest as (...a: unknown[]) => unknown)(...args);
    const callback = args.find((a) => typeof a === 'function') as ((res: unknown) => void) | undefined;
    const chunks: Buffer[] = [];
    const request = new PassThrough();
    inFlight++;
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('finish', () => {
      receive(url.pathname, Buffer.concat(chunks).toString('utf8'));
      const response = Object.assign(Readable.from([]), { statusCode: 200, headers: {} });
      inFlight--;
      callback?.(response);
    });
    return request;
  }) as typeof httpModule.request;
  httpModule.request = patched;
  return () => { httpModule.request = originalRequest; };
}
