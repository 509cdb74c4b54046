import '../handlers/support/env';
import { appendHistory } from '../../../lambda/aws/history';
import { DECISION_LOG_MESSAGE } from '../../../lambda/core/decision-log';
import { logger } from '../../../lambda/aws/logger';
import { FakeTable } from '../handlers/support/fake-table';
import { ENDPOINT, T0 } from '../handlers/support/fixtures';

const table = new FakeTable();
const entry = { at: T0, endpointName: ENDPOINT, rolloutId: 'r1', decision: 'guards-failed', reason: 'error-rate: worse than stable', actor: 'controller', evidence: { stepIndex: 0 } };

beforeEach(() => table.reset());
afterEach(() => {
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  jest.restoreAllMocks();
});

describe('decision log line (what the dashboard queries)', () => {
  test('inside a Lambda, every recorded decision is one structured line with endpoint, rollout, decision and reason', async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'step';
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    await appendHistory(entry);
    expect(info).toHaveBeenCalledWith(DECISION_LOG_MESSAGE, expect.objectContaining({
      endpointName: ENDPOINT, rolloutId: 'r1', decision: 'guards-failed', reason: 'error-rate: worse than stable', evidence: { stepIndex: 0 },
      decidedAt: new Date(T0).toISOString(),
    }));
  });

  test('the CLI (outside Lambda) records the decision and prints no log line', async () => {
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    await appendHistory(entry);
    expect(info).not.toHaveBeenCalled();
  });
});
