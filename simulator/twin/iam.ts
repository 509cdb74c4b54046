import type { runSimulation as RunSimulation } from '@cloud-copilot/iam-simulate';
import { createHash } from 'node:crypto';
import { ACCOUNT } from '../template';
import { Authorization } from './iam-actions';

/** An IAM policy document as a template declares it (intrinsics resolved). */
export type PolicyDocument = { Version?: string; Statement: unknown[] };

/** A role the twin authorizes requests for: its ARN and the identity policies attached to it. */
export interface RolePolicies {
  readonly roleArn: string;
  readonly policies: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocument }>;
}

/**
 * Answers by policies (their digest), action, resource and context, shared by every run of the process: the same
 * policies give the same answer, and the scenarios of a suite ask the same few questions thousands of times.
 */
const answers = new Map<string, Promise<boolean>>();

/**
 * IAM for the twin: evaluates a principal's identity policies with @cloud-copilot/iam-simulate (AWS's evaluation
 * logic: explicit Deny, Allow, implicit deny; Action/NotAction and Resource/NotResource wildcards; every condition
 * operator), each distinct question once.
 */
export class IamAuthorizer {
  private readonly roles = new Map<string, { role: RolePolicies; digest: string }>();

  /** `principal` signs with `role` from now on (a redeploy replaces the policies). */
  assume(principal: string, role: RolePolicies): void {
    this.roles.set(principal, { role, digest: createHash('sha256').update(JSON.stringify(role)).digest('hex') });
  }

  /**
   * Whether the twin authorizes the principal's calls: a function of the template whose role it knows, when the
   * evaluation library is installed (the operator and CloudFormation are not authorized here).
   */
  governs(principal: string | undefined): principal is string {
    return principal !== undefined && this.roles.has(principal) && policyEvaluation() !== undefined;
  }

  /** The session a Lambda function's calls are signed with, as IAM names it in a denial. */
  sessionArn(principal: string): string {
    const roleArn = this.roles.get(principal)?.role.roleArn ?? '';
    return `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArn.slice(roleArn.lastIndexOf('/') + 1)}/${principal}`;
  }

  /** Whether every authorization is allowed; the first denied one otherwise. */
  async firstDenied(principal: string, authorizations: readonly Authorization[]): Promise<Authorization | undefined> {
    for (const a of authorizations) if (!(await this.allowed(principal, a))) return a;
    return undefined;
  }

  allowed(principal: string, authorization: Authorization): Promise<boolean> {
    const known = this.roles.get(principal);
    if (!known) throw new Error(`IAM in the twin: no role known for ${principal}`);
    const key = `${known.digest}\n${authorization.action}\n${authorization.resource}\n${JSON.stringify(authorization.context ?? {})}`;
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = evaluate(known.role, authorization)));
    return answer;
  }

  /**
   * Allowed on `*` itself, not only on the resources the policies name: a statement scoped to ARNs is not enough
   * (the rule for composite alarms in CloudWatch's DescribeAlarms).
   */
  allowedOnEveryResource(principal: string, action: string): Promise<boolean> {
    return this.allowed(principal, { action, resource: '*' });
  }
}

async function evaluate(role: RolePolicies, { action, resource, context }: Authorization): Promise<boolean> {
  const result = await policyEvaluation()!({
    identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action,
      principal: role.roleArn,
      resource: { resource, accountId: ACCOUNT },
      contextVariables: { ...context },
    },
  } as Parameters<typeof RunSimulation>[0], {});
  if (result.resultType === 'error') {
    throw new Error(`IAM in the twin cannot evaluate ${action} on ${resource} for ${role.roleArn}: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  }
  if (result.resultType === 'wildcard') {
    // A request on `*` of an action with resource types: allowed only where a statement's resource is `*` itself.
    return result.results.some((r) => r.resourcePattern === '*' && r.analysis.result === 'Allowed') && result.overallResult === 'Allowed';
  }
  return result.overallResult === 'Allowed';
}

let loaded: { run: typeof RunSimulation | undefined } | undefined;

/**
 * The evaluation library, loaded on first use. It is AGPL-licensed, so the published command line (Apache-2.0) does
 * not bundle it (tools/build.mjs keeps it external): this repository's simulator and tests always have it (a
 * devDependency); a `simulate` run of the installed CLI authorizes only where the user installed it.
 */
function policyEvaluation(): typeof RunSimulation | undefined {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = { run: (require('@cloud-copilot/iam-simulate') as { runSimulation: typeof RunSimulation }).runSimulation };
    } catch {
      loaded = { run: undefined };
    }
  }
  return loaded.run;
}
