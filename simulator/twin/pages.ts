import { ServiceError } from './wire';

/** A List/Describe API's page size: what AWS uses when the caller gives none, and the most it allows. */
export interface PageLimits {
  readonly defaultSize: number;
  readonly maxSize: number;
  /** The least a caller may ask for (1 unless the API says more). */
  readonly minSize?: number;
  /** The error AWS answers for a token it did not issue (each service names it differently). */
  readonly invalidToken: string;
}

/**
 * One page of `items` as a paginated AWS API returns it: at most the caller's page size (the API's default when it
 * gives none), and a NextToken while more follow. The token is opaque to the caller (it must send it back unchanged);
 * here it encodes the offset, and any other token is refused as AWS refuses a token it did not issue.
 */
export function pageOf<T>(items: readonly T[], nextToken: string | undefined, maxResults: number | undefined, limits: PageLimits): { items: T[]; nextToken?: string } {
  const least = limits.minSize ?? 1;
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < least || maxResults > limits.maxSize)) {
    throw new ServiceError('ValidationException', `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between ${least} and ${limits.maxSize}`);
  }
  const size = maxResults ?? limits.defaultSize;
  const from = nextToken === undefined ? 0 : offsetOf(nextToken);
  if (from === undefined || from > items.length) throw new ServiceError(limits.invalidToken, `Invalid pagination token ${nextToken}`);
  const end = from + size;
  return { items: items.slice(from, end), ...(end < items.length ? { nextToken: Buffer.from(`page:${end}`).toString('base64') } : {}) };
}

function offsetOf(token: string): number | undefined {
  const match = /^page:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
