import './support/env';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { versionIdOf } from '../../../lambda/core';
import { registerVersion } from '../../../lambda/handlers/actions/register-version';
import { mockAws } from './support/aws-mocks';
import { CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, putState, rollingOut, spec, version } from './support/fixtures';

const aws = mockAws();
beforeEach(() => aws.reset());
const env = { now: T0, executionArn: EXECUTION_ARN };
const SHA = '9f'.repeat(32);

test('records the version and puts the candidate in the slot that is not stable', async () => {
  putState(aws.table, rollingOut({ candidate: undefined }));
  const out = await registerVersion(context({ versionId: undefined, stableSlot: undefined, candidateSlot: undefined }), env);
  expect(out).toMatchObject({ next: 'continue', versionId: CANDIDATE_ID, stableSlot: 'blue', stableVersionId: STABLE_ID, candidateSlot: 'green' });
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toEqual({
    pk: `ENDPOINT#${ENDPOINT}`,
    sk: `VERSION#${CANDIDATE_ID}`,
    endpointName: ENDPOINT,
    versionId: CANDIDATE_ID,
    spec: version(),
    registeredAt: T0,
    registeredBy: 'cloudformation',
  });
  expect(aws.table.state(ENDPOINT)?.candidate).toEqual({ slot: 'green', versionId: CANDIDATE_ID, rolloutId: context().rolloutId });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['version-registered']);
});

test('the first version of a new endpoint goes to blue', async () => {
  putState(aws.table, { endpointName: ENDPOINT, phase: 'rolling-out', revision: 1, lock: { rolloutId: context().rolloutId, executionArn: EXECUTION_ARN, since: T0 } });
  const out = await registerVersion(context({ kind: 'create', stableSlot: undefined, stableVersionId: undefined, candidateSlot: undefined }), env);
  expect(out).toMatchObject({ candidateSlot: 'blue', stableSlot: undefined });
});

test('verifies the model data checksum against S3 and fails the rollout on a mismatch, naming both values', async () => {
  putState(aws.table, rollingOut({ candidate: undefined }));
  aws.s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.alloc(32, 7).toString('base64') });
  const withChecksum = spec({ version: version({ modelDataSha256: SHA }) });
  const out = await registerVersion(context({ spec: withChecksum, versionId: versionIdOf(withChecksum.version) }), env);
  expect(out).toMatchObject({ next: 'release', outcome: 'failed' });
  expect(out.reason).toBe(`model data s3://models/fraud/v2/model.tar.gz has SHA-256 ${'07'.repeat(32)}, expected ${SHA}`);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['version-rejected']);
  expect(aws.table.query(`ENDPOINT#${ENDPOINT}`, 'VERSION#')).toEqual([]);
});

test('a matching checksum registers the version', async () => {
  putState(aws.table, rollingOut({ candidate: undefined }));
  aws.s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.from(SHA, 'hex').toString('base64') });
  const withChecksum = spec({ version: version({ modelDataSha256: SHA }) });
  const out = await registerVersion(context({ spec: withChecksum, versionId: versionIdOf(withChecksum.version) }), env);
  expect(out.next).toBe('continue');
});

test('refuses an image that is not pinned by digest', async () => {
  putState(aws.table, rollingOut({ candidate: undefined }));
  const unpinned = spec({ version: version({ image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/fraud:latest' }) });
  const out = await registerVersion(context({ spec: unpinned, versionId: undefined }), env);
  expect(out).toMatchObject({ next: 'release', outcome: 'failed', reason: expect.stringContaining('is not pinned by digest') });
});

test('a version id already recorded with another spec is a conflict (records are immutable)', async () => {
  putState(aws.table, rollingOut({ candidate: undefined }));
  await registerVersion(context(), env);
  await expect(registerVersion(context({ spec: spec({ version: version({ initialInstanceCount: 5 }) }) }), env)).rejects.toMatchObject({
    name: 'VersionConflict',
  });
});
