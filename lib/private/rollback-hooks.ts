import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { RollbackHookSpec } from '../../lambda/core/rollback-hooks';
import { acknowledgeWildcardResources } from './nag';

/**
 * At most this many hooks per endpoint: the controller calls them in parallel inside its 5-minute step function and
 * waits up to 60 s for each; more belong behind one hook of your own that fans out.
 */
export const MAX_ROLLBACK_HOOKS = 5;

/**
 * The hooks' spec (name: the function's construct id, unique per endpoint), each granted invoke to the controller's
 * step function, which calls them after a rollback's flip is verified.
 */
export function bindRollbackHooks(hooks: lambda.IFunction[], invoker: iam.IGrantable): RollbackHookSpec[] {
  if (hooks.length > MAX_ROLLBACK_HOOKS) {
    throw new Error(`rollbackHooks has ${hooks.length} functions; at most ${MAX_ROLLBACK_HOOKS} are called per rollback: `
      + 'combine them behind one hook function that calls the others');
  }
  const seen = new Set<string>();
  return hooks.map((fn) => {
    const name = fn.node.id;
    if (seen.has(name)) {
      throw new Error(`rollbackHooks has two functions with the construct id '${name}': the history names each hook by its id; `
        + 'give each hook function its own id');
    }
    seen.add(name);
    fn.grantInvoke(invoker);
    // grantInvoke covers the function and its versions and aliases (`<arn>:*`).
    acknowledgeWildcardResources(invoker, [`${fn.functionArn}:*`], `the controller invokes rollback hook ${name}, including its versions and aliases`);
    return { name, functionArn: fn.functionArn };
  });
}
