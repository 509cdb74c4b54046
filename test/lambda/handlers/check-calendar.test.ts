import './support/env';
import { checkCalendar } from '../../../lambda/handlers/actions/check-calendar';
import { mockAws } from './support/aws-mocks';
import { ENDPOINT, EXECUTION_ARN, context, putRecord, spec } from './support/fixtures';

const aws = mockAws();
const at = (now: number) => ({ now, executionArn: EXECUTION_ARN });
const releaseCalendar = { timeZone: 'Europe/Berlin', windows: [{ days: [1, 2, 3, 4, 5], from: 540, to: 960 }], freezes: [] };
const ctx = context({ spec: spec({ releaseCalendar }) });
const SATURDAY_NOON = Date.parse('2026-01-10T11:00:00Z');
const MONDAY_NINE = Date.parse('2026-01-12T08:00:00Z');
const rolloutRecord = () => aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${ctx.rolloutId}`);

beforeEach(() => {
  aws.reset();
  putRecord(aws.table, `ROLLOUT#${ctx.rolloutId}`, { endpointName: ENDPOINT, rolloutId: ctx.rolloutId, kind: 'rollout', startedAt: SATURDAY_NOON, executionArn: EXECUTION_ARN });
});

test('outside a window: waits until the next one (ISO, for the Wait state), recorded once and shown by status', async () => {
  const waiting = await checkCalendar(ctx, at(SATURDAY_NOON));
  expect(waiting).toMatchObject({ next: 'calendar-wait', releaseWindowOpensAt: '2026-01-12T08:00:00.000Z' });
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
    decision: 'release-window-wait', reason: expect.stringContaining('outside the deployment windows at 2026-01-10 12:00 Europe/Berlin: waits for the next window, 2026-01-12 09:00'),
  })]);
  expect(rolloutRecord()?.releaseWindow).toMatchObject({ opensAt: MONDAY_NINE, timeZone: 'Europe/Berlin' });
  // Woken early (a retried task): the same wait, not recorded again.
  expect(await checkCalendar(waiting, at(SATURDAY_NOON + 60_000))).toMatchObject({ next: 'calendar-wait' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['release-window-wait']);

  const going = await checkCalendar(waiting, at(MONDAY_NINE));
  expect(going.next).toBe('continue');
  expect(going.releaseWindowOpensAt).toBeUndefined();
  expect(aws.table.decisions(ENDPOINT)).toEqual(['release-window-wait', 'release-window-open']);
  expect(rolloutRecord()?.releaseWindow).toBeNull();
});

test('inside a window, or without a calendar: goes on at once and records nothing', async () => {
  expect(await checkCalendar(ctx, at(MONDAY_NINE + 3_600_000))).toMatchObject({ next: 'continue' });
  expect(await checkCalendar(context(), at(SATURDAY_NOON))).toMatchObject({ next: 'continue' });
  expect(aws.table.decisions(ENDPOINT)).toEqual([]);
});

test('an undo is never held', async () => {
  expect(await checkCalendar({ ...ctx, undo: { fromVersionId: 'mv-2', toPromotedAt: 1 } }, at(SATURDAY_NOON))).toMatchObject({ next: 'continue' });
});

test('a calendar with no window within the horizon ends the rollout aborted, with the fix', async () => {
  const frozen = context({ spec: spec({ releaseCalendar: { ...releaseCalendar, freezes: [{ from: '2026-01-01', to: '2028-01-01' }] } }) });
  expect(await checkCalendar(frozen, at(SATURDAY_NOON))).toMatchObject({ next: 'release', outcome: 'aborted', reason: expect.stringContaining('shorten its freezes') });
});
