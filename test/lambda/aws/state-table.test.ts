import '../handlers/support/env';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { appendHistory, historySortKey, listHistory } from '../../../lambda/aws/history';
import { getState, saveState, updateState } from '../../../lambda/aws/state-table';
import { getVersion, markRolledBack, registerVersion } from '../../../lambda/aws/version-records';
import { FakeTable } from '../handlers/support/fake-table';
import { ENDPOINT, T0, putState, stableOnly, version } from '../handlers/support/fixtures';

const table = new FakeTable();
beforeEach(() => table.reset());

describe('STATE item', () => {
  test('first write requires no item; later writes the revision read, which goes up by one', async () => {
    const first = await saveState({ endpointName: ENDPOINT, phase: 'idle', revision: 0 }, undefined);
    expect(first.revision).toBe(1);
    await expect(saveState({ endpointName: ENDPOINT, phase: 'idle', revision: 0 }, undefined)).rejects.toMatchObject({ name: 'StateConflict' });
    const second = await saveState({ ...first, phase: 'rolling-out' }, first);
    expect(second.revision).toBe(2);
    await expect(saveState({ ...first, phase: 'watching' }, first)).rejects.toMatchObject({
      name: 'StateConflict',
      message: expect.stringContaining('since revision 1'),
    });
    expect(await getState(ENDPOINT)).toMatchObject({ phase: 'rolling-out', revision: 2 });
  });

  test('updateState applies the change again to fresh state after a conflicting write', async () => {
    putState(table, stableOnly({ revision: 7 }));
    // Another writer bumps the revision between our read and our write, once.
    let interfered = false;
    const change = jest.fn((current) => {
      if (!interfered) {
        interfered = true;
        putState(table, { ...current, phase: 'watching', revision: 8 });
      }
      return { ...current, weights: { blue: 100, green: 0 } };
    });
    const saved = await updateState(ENDPOINT, change);
    expect(change).toHaveBeenCalledTimes(2);
    expect(saved).toMatchObject({ phase: 'watching', revision: 9, weights: { blue: 100, green: 0 } });
  });

  test('a change returning undefined writes nothing', async () => {
    putState(table, stableOnly());
    await updateState(ENDPOINT, () => undefined);
    expect(table.mock).not.toHaveReceivedCommand(PutCommand);
  });

  test('fields set to undefined are removed from the item', async () => {
    const state = stableOnly({ lock: { rolloutId: 'r1', executionArn: 'arn', since: T0 } });
    putState(table, state);
    await saveState({ ...state, lock: undefined }, state);
    expect(table.state(ENDPOINT)).not.toHaveProperty('lock');
  });
});

describe('history', () => {
  test('sort keys carry 13-digit epoch ms and a 4-digit sequence', () => {
    expect(historySortKey(T0, 3)).toBe(`HISTORY#${String(T0).padStart(13, '0')}#0003`);
  });

  test('entries at the same millisecond get consecutive sequence numbers and are never overwritten', async () => {
    const entry = { at: T0, endpointName: ENDPOINT, decision: 'rollback', reason: 'r', actor: 'controller' };
    expect(await appendHistory(entry)).toBe(historySortKey(T0, 0));
    expect(await appendHistory({ ...entry, decision: 'retired' })).toBe(historySortKey(T0, 1));
    expect((await listHistory(ENDPOINT)).map((e) => e.decision)).toEqual(['rollback', 'retired']);
  });
});

describe('version records', () => {
  const record = { endpointName: ENDPOINT, versionId: 'mv-000000000001', spec: version(), registeredAt: T0, registeredBy: 'cloudformation' };

  test('registering twice with the same spec is idempotent, with another spec a conflict', async () => {
    await expect(registerVersion(record)).resolves.toBe('registered');
    await expect(registerVersion({ ...record, registeredAt: T0 + 1 })).resolves.toBe('already-registered');
    await expect(registerVersion({ ...record, spec: version({ initialInstanceCount: 9 }) })).rejects.toMatchObject({ name: 'VersionConflict' });
    expect((await getVersion(ENDPOINT, record.versionId))?.registeredAt).toBe(T0);
  });

  test('only lifecycle marks change later, and only on an existing record', async () => {
    await registerVersion(record);
    await markRolledBack(ENDPOINT, record.versionId, { attempt: 2, at: T0 + 5, reason: 'guard breach' });
    expect(await getVersion(ENDPOINT, record.versionId)).toEqual({ ...record, rolledBackAttempt: 2, rolledBackAt: T0 + 5, rolledBackReason: 'guard breach' });
    await expect(markRolledBack(ENDPOINT, 'mv-missing', { attempt: 1, at: T0, reason: 'x' })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });
});
