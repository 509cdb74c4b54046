import * as fs from 'node:fs';
import * as path from 'node:path';
import { runbookStackLine, runbookTitle } from '../core/runbook-file';

/** A runbook found in a cloud assembly. */
export interface FoundRunbook {
  readonly file: string;
  readonly markdown: string;
  /** When the cloud assembly was written (the file's modification time): an old synth may not match the code. */
  readonly synthesizedAt: Date;
}

/** Staged file assets keep their extension: `asset.<hash>.md`. */
const STAGED_MARKDOWN = /^asset\.[0-9a-f]+\.md$/;
/** Nested cloud assemblies (CDK stages) are directories `assembly-<stage>` inside the outer one. */
const NESTED_ASSEMBLY = /^assembly-/;

/**
 * `runbook --endpoint <name>`: the runbook `BlueGreenEndpoint` wrote at synth, read from the cloud assembly (`cdk.out`),
 * offline: no credentials, and before the first deploy too. Several stacks declaring the endpoint (other accounts or
 * regions) need `stack`. Throws naming what to do when it is not there.
 */
export function findRunbook(cloudAssembly: string, endpointName: string, stack?: string): FoundRunbook {
  if (!fs.existsSync(path.join(cloudAssembly, 'manifest.json'))) {
    throw new Error(`${cloudAssembly} is not a cloud assembly (no manifest.json): run \`npx cdk synth\` in your CDK app first, or pass --cdk-out <dir>`);
  }
  const title = runbookTitle(endpointName);
  const found = stagedMarkdown(cloudAssembly)
    .map((file) => ({ file, markdown: fs.readFileSync(file, 'utf8') }))
    .filter((r) => r.markdown.split('\n', 1)[0] === title)
    .filter((r) => stack === undefined || r.markdown.includes(`${runbookStackLine(stack)},`));
  const distinct = [...new Map(found.map((r) => [r.markdown, r])).values()];
  if (distinct.length === 0) {
    throw new Error(`no runbook for endpoint ${endpointName}${stack ? ` in stack ${stack}` : ''} in ${cloudAssembly}: `
      + 'check the endpointName of the BlueGreenEndpoint, and run `npx cdk synth` again (the runbook is written at synth)');
  }
  if (distinct.length > 1) {
    const stacks = distinct.map((r) => /^Stack `([^`]+)`/m.exec(r.markdown)?.[1] ?? r.file).sort();
    throw new Error(`endpoint ${endpointName} has a runbook in ${distinct.length} stacks (${stacks.join(', ')}): pass --stack <name>`);
  }
  const [runbook] = distinct;
  return { ...runbook, synthesizedAt: fs.statSync(runbook.file).mtime };
}

function stagedMarkdown(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return NESTED_ASSEMBLY.test(entry.name) ? stagedMarkdown(full) : [];
    return entry.isFile() && STAGED_MARKDOWN.test(entry.name) ? [full] : [];
  });
}
