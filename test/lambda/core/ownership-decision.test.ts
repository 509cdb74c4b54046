import * as fc from 'fast-check';
import { EndpointOwner, OwnershipInput, ResourceOwner, decideOwnership, sameOwner } from '../../../lambda/core';
import { T0 } from './fixtures';

const STACK = 'arn:aws:cloudformation:us-east-1:111122223333:stack/scoring/7f1c1b2e-0d7a-4c55-9a0f-3c1d8c2e9b10';
const OTHER = 'arn:aws:cloudformation:us-east-1:111122223333:stack/recsys/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
const old: ResourceOwner = { stackId: STACK, logicalResourceId: 'Endpoint1A2B3C4D' };
const renamed: ResourceOwner = { stackId: STACK, logicalResourceId: 'Scorer5E6F7A8B' };
const owned = (owner: ResourceOwner, extra: Partial<EndpointOwner> = {}): EndpointOwner => ({ ...owner, since: T0 - 1000, ...extra });
const decide = (input: Partial<OwnershipInput> & Pick<OwnershipInput, 'request' | 'requester'>) =>
  decideOwnership({ endpointExists: true, managed: true, now: T0, ...input });

describe('decideOwnership', () => {
  test('a new endpoint is claimed by the resource that creates it', () => {
    expect(decide({ request: 'Create', requester: old, endpointExists: false, managed: false }))
      .toMatchObject({ action: 'claim', owner: { ...old, since: T0 } });
  });

  test('a rename: Create of the new logical id takes over (with a handover), the old Delete deletes nothing and completes it', () => {
    const takeOver = decide({ request: 'Create', requester: renamed, recorded: owned(old), tagged: old });
    expect(takeOver).toMatchObject({ action: 'take-over', owner: { ...renamed, since: T0, handover: { from: old } } });
    const recorded = (takeOver as { owner: EndpointOwner }).owner;
    expect(decide({ request: 'Delete', requester: old, recorded, tagged: renamed })).toMatchObject({ action: 'release-handover', owner: { ...renamed, since: T0 } });
    expect(decide({ request: 'Delete', requester: renamed, recorded: owned(renamed) }).action).toBe('delete');
  });

  test('a rolled-back rename: the new resource\'s Delete hands the endpoint back and deletes nothing', () => {
    const recorded = owned(renamed, { handover: { from: old } });
    expect(decide({ request: 'Delete', requester: renamed, recorded, tagged: renamed })).toMatchObject({
      action: 'hand-back', owner: { ...old, since: T0 }, reason: expect.stringContaining('rolled the rename back'),
    });
  });

  test('another stack\'s endpoint: refused on create and update, never deleted, owner named', () => {
    const tagged = { stackId: OTHER, logicalResourceId: 'Recommender' };
    for (const request of ['Create', 'Update'] as const) {
      expect(decide({ request, requester: old, tagged, managed: false })).toMatchObject({
        action: 'refuse', reason: expect.stringContaining(`resource Recommender of stack recsys (${OTHER})`),
      });
    }
    expect(decide({ request: 'Delete', requester: old, recorded: owned(old), tagged }).action).toBe('skip-delete');
  });

  test('an existing endpoint with no owner tags and no state here is refused; one this controller manages is claimed', () => {
    expect(decide({ request: 'Create', requester: old, managed: false }).action).toBe('refuse');
    expect(decide({ request: 'Update', requester: old }).action).toBe('claim');
    expect(decide({ request: 'Create', requester: renamed })).toMatchObject({ action: 'take-over', owner: { handover: {} } });
  });

  test('property: only the recorded owner (with no handover pending) deletes, and another stack never acts', () => {
    const resource = fc.record({ stackId: fc.constantFrom(STACK, OTHER), logicalResourceId: fc.constantFrom('A', 'B', 'C') });
    fc.assert(fc.property(
      fc.constantFrom('Create', 'Update', 'Delete'), resource, fc.option(resource, { nil: undefined }), fc.option(resource, { nil: undefined }),
      fc.boolean(), fc.option(fc.option(resource, { nil: undefined }), { nil: null }), fc.boolean(),
      (request, requester, recordedOwner, tagged, exists, handover, managed) => {
        const recorded = recordedOwner && owned(recordedOwner, handover === null ? {} : { handover: { from: handover } });
        const d = decideOwnership({ request: request as OwnershipInput['request'], requester, recorded, tagged, endpointExists: exists, managed, now: T0 });
        const foreign = [recorded, tagged].some((o) => o !== undefined && o.stackId !== requester.stackId);
        if (foreign) expect(['refuse', 'skip-delete']).toContain(d.action);
        if (d.action === 'delete') expect(recorded === undefined || (sameOwner(recorded, requester) && !recorded.handover)).toBe(true);
      },
    ));
  });
});
