/**
 * The pinned AWS SDK prints, once per process, that versions published after January 2027 will need Node 22.
 * The project pins the SDK and documents the Node version, so the simulator and the tests drop that one notice.
 */
export function quietSdkNodeNotice(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'NodeVersionSupportWarning' || /will require node >=22/.test(text)) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
