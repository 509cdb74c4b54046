import { EndpointOwner, ResourceOwner } from './contract';

/** Tag keys that name an endpoint's owner on the SageMaker endpoint itself (seen by every stack's controller). */
export const OWNER_TAG = { stackId: 'cdk-sagemaker-rollout:stack-id', logicalResourceId: 'cdk-sagemaker-rollout:logical-id' } as const;

export function sameOwner(a: ResourceOwner | undefined, b: ResourceOwner | undefined): boolean {
  return a !== undefined && b !== undefined && a.stackId === b.stackId && a.logicalResourceId === b.logicalResourceId;
}

/** The stack name inside a stack ARN (`arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`). */
export function stackNameOf(stackId: string): string {
  return /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
}

export function describeOwner(owner: ResourceOwner): string {
  return `resource ${owner.logicalResourceId} of stack ${stackNameOf(owner.stackId)} (${owner.stackId})`;
}

export interface OwnershipInput {
  readonly request: 'Create' | 'Update' | 'Delete';
  readonly requester: ResourceOwner;
  /** The owner in this controller's state table. */
  readonly recorded?: EndpointOwner;
  /** The owner named by the endpoint's tags (another stack's controller writes them too). */
  readonly tagged?: ResourceOwner;
  readonly endpointExists: boolean;
  /** This controller's table already manages the endpoint (it has state with a stable or candidate version). */
  readonly managed: boolean;
  readonly now: number;
}

/** keep, delete: go on; refuse, skip-delete: stop here; the others record a new owner (undefined: none recorded). */
export type OwnershipDecision =
  | { readonly action: 'keep' | 'delete' | 'refuse' | 'skip-delete'; readonly reason: string }
  | { readonly action: 'claim' | 'take-over' | 'hand-back' | 'release-handover'; readonly owner: EndpointOwner | undefined; readonly reason: string };

export function changesOwner(d: OwnershipDecision): d is Extract<OwnershipDecision, { owner: unknown }> {
  return 'owner' in d;
}

/**
 * Invariant 12: an endpoint is deleted or taken over only by the resource that owns it (stack + logical id).
 * - Another stack's endpoint (its tags say so) is refused on create/update and never deleted.
 * - A create from another resource of the same stack (a renamed or moved construct: CloudFormation creates the new
 *   resource, then deletes the old one) takes the endpoint over; the old resource's Delete then deletes nothing.
 * - If the new owner's Delete comes while the old one's is still due, the stack rolled the rename back: ownership
 *   returns, nothing is deleted.
 */
export function decideOwnership(input: OwnershipInput): OwnershipDecision {
  const { request, requester, recorded, tagged, endpointExists, managed, now } = input;
  const ownedBy = (owner: ResourceOwner, handover?: EndpointOwner['handover']): EndpointOwner =>
    ({ stackId: owner.stackId, logicalResourceId: owner.logicalResourceId, since: now, ...(handover ? { handover } : {}) });
  const foreign = [tagged, recorded].find((o) => o !== undefined && o.stackId !== requester.stackId);
  if (request === 'Delete') {
    if (foreign) return { action: 'skip-delete', reason: `endpoint belongs to ${describeOwner(foreign)}: nothing deleted` };
    if (recorded === undefined) return { action: 'delete', reason: 'no owner recorded (endpoint created before owners were): its resource deletes it' };
    if (sameOwner(recorded, requester)) {
      if (recorded.handover) {
        const back = recorded.handover.from;
        return {
          action: 'hand-back',
          owner: back ? ownedBy(back) : undefined,
          reason: `${describeOwner(requester)} took the endpoint over and is deleted before the resource it took it from: `
            + `the stack rolled the rename back, so the endpoint returns to ${back ? describeOwner(back) : 'its previous resource'} and nothing is deleted`,
        };
      }
      return { action: 'delete', reason: `${describeOwner(requester)} owns the endpoint` };
    }
    const skip = `endpoint belongs to ${describeOwner(recorded)} since ${new Date(recorded.since).toISOString()}; `
      + `${describeOwner(requester)} no longer owns it (renamed or moved construct): nothing deleted`;
    const completes = recorded.handover && (recorded.handover.from === undefined || sameOwner(recorded.handover.from, requester));
    return completes
      ? { action: 'release-handover', owner: ownedBy(recorded), reason: `${skip}; the handover is complete` }
      : { action: 'skip-delete', reason: skip };
  }
  if (foreign) {
    return {
      action: 'refuse',
      reason: `endpoint already belongs to ${describeOwner(foreign)}: one SageMaker endpoint has one owner. Give this `
        + `BlueGreenEndpoint another endpointName, or remove the endpoint from stack ${stackNameOf(foreign.stackId)} first`,
    };
  }
  if (recorded === undefined) {
    if (endpointExists && tagged === undefined && !managed) {
      return {
        action: 'refuse',
        reason: 'an endpoint of that name exists but no rollout controller created it (no owner tags, no state in this stack\'s '
          + 'table): give this BlueGreenEndpoint another endpointName, or delete the existing endpoint first',
      };
    }
    if (managed && request === 'Create') {
      // Managed here with no owner on record: the Create of a renamed resource. Until the old one's Delete arrives,
      // a Delete of this one hands the endpoint back (nothing deleted).
      return { action: 'take-over', owner: ownedBy(requester, {}), reason: `${describeOwner(requester)} takes over the endpoint (no owner was recorded)` };
    }
    return { action: 'claim', owner: ownedBy(requester), reason: `the endpoint belongs to ${describeOwner(requester)}` };
  }
  if (sameOwner(recorded, requester)) return { action: 'keep', reason: `${describeOwner(requester)} owns the endpoint` };
  return {
    action: 'take-over',
    owner: ownedBy(requester, { from: { stackId: recorded.stackId, logicalResourceId: recorded.logicalResourceId } }),
    reason: `${describeOwner(requester)} takes over the endpoint from ${describeOwner(recorded)} (the construct was renamed or moved); `
      + 'the old resource\'s Delete will delete nothing',
  };
}
