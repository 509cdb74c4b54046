import type { DeclaredResource } from '../simulation';
import { Invariant } from './run-view';

/** Resources whose stack template declares the endpoint at `at` (created with the endpoint's name as physical id). */
function declaringAt(resources: DeclaredResource[], endpointName: string, at: number): DeclaredResource[] {
  return resources.filter((r) => r.physicalId === endpointName && r.createdAt !== undefined && r.createdAt <= at
    && (r.removedAt === undefined || r.removedAt > at));
}

const label = (r: DeclaredResource) => `${r.stack}/${r.logicalId}`;

/**
 * 12. An endpoint is deleted or taken over only by the resource that owns it (stack + logical id), never by a rename:
 * - DeleteEndpoint happens only when no resource of any stack still declares the endpoint;
 * - resources of two stacks never both hold the endpoint (a second stack's Create is refused);
 * - the owner the controller recorded is the resource that declares the endpoint, at the end of the run.
 */
export const endpointOwnedByItsResource: Invariant = {
  id: 12,
  name: 'an endpoint is deleted or taken over only by the resource that owns it',
  check(view) {
    const { run } = view;
    const failures: string[] = [];
    const resources = run.resources;
    // Attempts count too: a delete that SageMaker refused only because the endpoint was busy was still wrong.
    const deletes = run.controlPlaneCalls.filter((c) => c.service === 'sagemaker' && c.operation === 'DeleteEndpoint');
    for (const d of deletes) {
      const still = declaringAt(resources, run.endpointName, d.at);
      if (still.length > 0) {
        failures.push(`t=${view.t(d.at)}s: DeleteEndpoint${d.error ? ` (answered ${d.error})` : ''} by ${d.caller ?? 'unknown'} while ${still.map(label).join(', ')} still declares ${run.endpointName}`);
      }
    }
    const moments = [...new Set(resources.flatMap((r) => [r.createdAt, r.removedAt]).filter((t): t is number => t !== undefined))].sort((a, b) => a - b);
    for (const at of moments) {
      const stacks = new Set(declaringAt(resources, run.endpointName, at).map((r) => r.stack));
      if (stacks.size > 1) {
        failures.push(`t=${view.t(at)}s: stacks ${[...stacks].join(' and ')} both hold endpoint ${run.endpointName}`);
        break;
      }
    }
    const last = declaringAt(resources, run.endpointName, run.end);
    const owner = run.state?.owner as { stackId?: string; logicalResourceId?: string } | undefined;
    if (last.length === 1 && (owner?.logicalResourceId !== last[0].logicalId || owner?.stackId !== last[0].stackId)) {
      failures.push(`at the end ${label(last[0])} declares ${run.endpointName}, but the controller records `
        + `${owner ? `${owner.logicalResourceId} of ${owner.stackId}` : 'no owner'}`);
    }
    return {
      exercised: resources.length > 0,
      failures,
      ok: `${resources.length} resource(s), ${deletes.length} DeleteEndpoint call(s), owner recorded as ${owner?.logicalResourceId ?? '-'}`,
    };
  },
};
