import { runbookFileName, runbookStackLine, runbookTitle } from '../../../lambda/core/runbook-file';

// The runbook's name, title and stack line are what `cdk-sagemaker-rollout runbook` finds it by in the cloud assembly,
// and what an on-call engineer reads first: they are a format, pinned here.
describe('runbook file', () => {
  test('a runbook is titled with its endpoint, and its asset file is named after it', () => {
    expect(runbookTitle('fraud-scorer')).toBe('# Runbook: endpoint fraud-scorer');
    expect(runbookFileName('fraud-scorer')).toBe('runbook-fraud-scorer.md');
  });

  test('two endpoints never share a title or a file name', () => {
    expect(runbookTitle('fraud')).not.toBe(runbookTitle('fraud-2'));
    expect(runbookFileName('fraud')).not.toBe(runbookFileName('fraud-2'));
  });

  test('the stack line names the stack in backticks (what --stack matches)', () => {
    expect(runbookStackLine('Payments-prod')).toBe('Stack `Payments-prod`');
  });
});
