/**
 * What a Lambda writes to stdout and stderr, as CloudWatch Logs receives it: Powertools' Logger and Metrics print one
 * JSON document a line (the logger's errors and warnings to stderr). Collected until `restore()`.
 */
export function captureStdout(): { lines: () => Array<Record<string, unknown>>; raw: () => string[]; restore: () => void } {
  const all: string[] = [];
  const collect = (chunk: string | Uint8Array) => {
    all.push(...String(chunk).split('\n').filter((l) => l.trim() !== ''));
    return true;
  };
  const lines = all.filter.bind(all, (l: string) => l.startsWith('{'));
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(collect), jest.spyOn(process.stderr, 'write').mockImplementation(collect)];
  return {
    lines: () => lines().map((l) => JSON.parse(l) as Record<string, unknown>),
    /** Every line, JSON or not (a library's plain-text warning too). */
    raw: () => [...all],
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}
