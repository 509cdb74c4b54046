/**
 * What a Lambda writes to stdout and stderr, as CloudWatch Logs receives it: Powertools' Logger and Metrics print one
 * JSON document a line (the logger's errors and warnings to stderr). Collected until `restore()`.
 */
export function captureStdout(): { lines: () => Array<Record<string, unknown>>; restore: () => void } {
  const lines: string[] = [];
  const collect = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((l) => l.startsWith('{')));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(collect), jest.spyOn(process.stderr, 'write').mockImplementation(collect)];
  return { lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), restore: () => spies.forEach((s) => s.mockRestore()) };
}
