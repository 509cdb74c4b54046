/**
 * How an endpoint's runbook is named: `BlueGreenEndpoint` writes it at synth as a stack asset (lib/private/runbook.ts),
 * and `cdk-sagemaker-rollout runbook` finds it in the cloud assembly by its first line. lib/ imports it, so it stays
 * free of runtime dependencies.
 */
export function runbookTitle(endpointName: string): string {
  return `# Runbook: endpoint ${endpointName}`;
}

/** The file the asset is made from (the cloud assembly stages it as `asset.<hash>.md`). */
export function runbookFileName(endpointName: string): string {
  return `runbook-${endpointName}.md`;
}

/** The line naming the stack, second paragraph of every runbook: `--stack` picks a runbook by it. */
export function runbookStackLine(stackName: string): string {
  return `Stack \`${stackName}\``;
}
