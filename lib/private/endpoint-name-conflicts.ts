import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One endpoint as the app-wide check sees it. */
export interface DeclaredEndpoint {
  readonly endpointName: string;
  readonly scope: IConstruct;
}

/** `account/region` of a stack, or undefined when either is a token (an environment-agnostic stack). */
function environmentOf(stack: Stack): string | undefined {
  return Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region) ? undefined : `${stack.account}/${stack.region}`;
}

/**
 * Endpoint names are unique per account and region, and each stack's controller believes the endpoint it declares is
 * its own. Within one app, two stacks declaring the same literal name in the same environment (or both
 * environment-agnostic, which deploy wherever the CLI points) are an error at synth. What synth cannot see: stacks of
 * other apps, a stack and an environment-agnostic one, token names; the deploy provider refuses those at deploy time
 * (the endpoint's owner tags name the owning stack).
 */
export function endpointNameConflicts(self: DeclaredEndpoint, all: DeclaredEndpoint[]): string[] {
  if (Token.isUnresolved(self.endpointName)) return [];
  const stack = Stack.of(self.scope);
  const env = environmentOf(stack);
  return all
    .filter((other) => other.scope !== self.scope && Stack.of(other.scope) !== stack && other.endpointName === self.endpointName
      && environmentOf(Stack.of(other.scope)) === env)
    .map((other) => `endpoint name '${self.endpointName}' is also declared by ${other.scope.node.path} in stack '${Stack.of(other.scope).stackName}' `
      + `(${env === undefined ? 'both stacks are environment-agnostic' : `both in ${env}`}): one SageMaker endpoint has one owner, `
      + 'and each stack\'s controller would treat it as its own; give each BlueGreenEndpoint its own endpointName');
}
