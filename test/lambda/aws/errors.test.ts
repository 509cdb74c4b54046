import { aws, isAlreadyExists, isNotFound, mapAwsError } from '../../../lambda/aws/errors';
import { retryTransient } from '../../../lambda/aws/retry';
import { FAST_LEVER_BUDGET_MS } from '../../../lambda/core/fast-lever';

const awsError = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name, ...extra });
const busy = () => awsError('ValidationException', 'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:1:endpoint/e".');

describe('mapAwsError', () => {
  test.each([
    ['update in progress', busy()],
    ['delete in progress', awsError('ValidationException', 'Cannot delete in-progress endpoint "e".')],
  ])('maps %s to EndpointBusy and keeps the cause', (_, err) => {
    const mapped = mapAwsError(err) as Error;
    expect(mapped.name).toBe('EndpointBusy');
    expect(mapped.message).toContain('in-progress endpoint');
    expect(mapped.cause).toBe(err);
  });

  test.each(['ThrottlingException', 'TooManyRequestsException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded'])(
    'maps %s to Throttled',
    (name) => {
      expect((mapAwsError(awsError(name, 'Rate exceeded')) as Error).name).toBe('Throttled');
    },
  );

  test('maps any error the SDK classifies as throttling', () => {
    expect((mapAwsError(awsError('SlowDown', 'slow down', { $retryable: { throttling: true } })) as Error).name).toBe('Throttled');
  });

  test('leaves other errors unchanged', () => {
    const other = awsError('ValidationException', 'Could not find endpoint "e".');
    expect(mapAwsError(other)).toBe(other);
    const access = awsError('AccessDeniedException', 'not authorized');
    expect(mapAwsError(access)).toBe(access);
  });

  test('aws() rethrows mapped errors', async () => {
    await expect(aws(() => Promise.reject(busy()))).rejects.toMatchObject({ name: 'EndpointBusy' });
    await expect(aws(() => Promise.resolve(7))).resolves.toBe(7);
  });

  test('recognizes already-exists and not-found answers', () => {
    expect(isAlreadyExists(awsError('ValidationException', 'Cannot create already existing model "m".'))).toBe(true);
    expect(isAlreadyExists(awsError('ValidationException', 'Could not find model "m".'))).toBe(false);
    expect(isNotFound(awsError('ValidationException', 'Could not find endpoint "e".'))).toBe(true);
    expect(isNotFound(busy())).toBe(false);
  });
});

describe('retryTransient', () => {
  test('retries EndpointBusy and Throttled with doubling backoff until the call succeeds', async () => {
    const sleeps: number[] = [];
    const call = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(busy())
      .mockRejectedValueOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .mockResolvedValueOnce('done');
    const retry = retryTransient({ sleep: async (ms) => void sleeps.push(ms) });
    await expect(retry(call)).resolves.toBe('done');
    expect(call).toHaveBeenCalledTimes(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  test('keeps trying for as long as a weight update in progress can take (the budget), backing off to 10 s, then gives up', async () => {
    const sleeps: number[] = [];
    const call = jest.fn<Promise<string>, []>().mockRejectedValue(busy());
    await expect(retryTransient({ sleep: async (ms) => void sleeps.push(ms) })(call)).rejects.toThrow('Cannot update in-progress endpoint');
    const waited = sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(FAST_LEVER_BUDGET_MS);
    expect(waited).toBeGreaterThan(FAST_LEVER_BUDGET_MS - 10_000);
    expect(Math.max(...sleeps)).toBe(10_000);
    expect(sleeps.slice(0, 5)).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  test('gives up after the bounded number of tries with the last error', async () => {
    const call = jest.fn<Promise<string>, []>().mockRejectedValue(busy());
    const retry = retryTransient({ tries: 5, sleep: async () => undefined });
    await expect(retry(call)).rejects.toThrow('Cannot update in-progress endpoint');
    expect(call).toHaveBeenCalledTimes(5);
  });

  test('does not retry other errors', async () => {
    const call = jest.fn<Promise<string>, []>().mockRejectedValue(awsError('ValidationException', 'bad config'));
    await expect(retryTransient({ sleep: async () => undefined })(call)).rejects.toThrow('bad config');
    expect(call).toHaveBeenCalledTimes(1);
  });
});
