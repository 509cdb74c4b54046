import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ROLLBACK_HOOK_WAIT_MS, RollbackHookEvent, RollbackHookSpec, rollbackHookClaimKey } from '../core/rollback-hooks';
import { errorMessage, errorName } from './errors';
import { endpointKey, isConditionFailed, putItem } from './table';

/**
 * One attempt per call: a retried RequestResponse invoke could run the hook twice (a 5xx may come after the function
 * ran), and a hook is called at most once per rollback. A throttled or failed invoke is recorded as the hook's failure.
 */
const lambda = new LambdaClient({ maxAttempts: 1 });

/**
 * Claims one hook's call for a rollout (a conditional put): true for the first caller only, so a retried Retire task,
 * a second cleanup execution or a redelivered alarm event never calls the hook again.
 */
export async function claimRollbackHook(endpointName: string, rolloutId: string, hookName: string, now: number): Promise<boolean> {
  try {
    await putItem(endpointKey(endpointName), rollbackHookClaimKey(rolloutId, hookName), { rolloutId, hookName, claimedAt: now }, { expression: 'attribute_not_exists(sk)' });
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Lambda's answer to one synchronous invoke of a hook, or why there was none (not answered within the wait). */
export async function invokeRollbackHook(hook: RollbackHookSpec, event: RollbackHookEvent): Promise<{ functionError?: string; payload?: string; invokeError?: string; timedOut?: boolean }> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => { abort.abort(); resolve({ timedOut: true }); }, ROLLBACK_HOOK_WAIT_MS);
  });
  const invoked = lambda.send(new InvokeCommand({ FunctionName: hook.functionArn, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }), { abortSignal: abort.signal })
    .then((out) => ({ functionError: out.FunctionError, payload: out.Payload ? Buffer.from(out.Payload).toString('utf8') : undefined }))
    .catch((err: unknown) => ({ invokeError: `${errorName(err) ?? 'Error'}: ${errorMessage(err)}` }));
  try {
    return await Promise.race([invoked, waited]);
  } finally {
    clearTimeout(timer);
  }
}
