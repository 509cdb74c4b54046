import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Evaluates a CommonJS bundle as a new module instance, outside require's cache: its module-level state (SDK clients
 * with their retry quotas, Powertools' logger and metrics, caches) starts fresh, as in a new Lambda execution
 * environment, so no simulation inherits what an earlier one in the process left there. The bundle's own requires (its
 * externals: the AWS SDK, node built-ins) go through `requireFrom`, the caller's require: they get the very module
 * instances the simulator's transport patches, under jest too (whose registry ignores deletions from require.cache).
 */
export function loadFresh<T>(file: string, requireFrom: NodeJS.Require): T {
  const dir = path.dirname(file);
  const module = { exports: {} as T };
  const localRequire = (id: string) => requireFrom(id.startsWith('.') ? path.resolve(dir, id) : id);
  // Function, not vm: the code must run in the caller's realm, whose Date and timers the virtual clock fakes (under
  // jest that is the test's context, not the process's). sourceURL keeps the bundle's path in stack traces.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, no-new-func
  const evaluate = new Function('exports', 'require', 'module', '__filename', '__dirname', `${fs.readFileSync(file, 'utf8')}\n//# sourceURL=${file}`);
  evaluate(module.exports, localRequire, module, file, dir);
  return module.exports;
}
