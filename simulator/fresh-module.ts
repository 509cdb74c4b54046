import * as fs from 'node:fs';
import * as path from 'node:path';

type ModuleBody = (exports: unknown, require: (id: string) => unknown, module: { exports: unknown }, filename: string, dirname: string) => void;

/**
 * Each bundle's code, compiled once per process: the code holds no state (each call of it builds a new module
 * instance), and a bundle rebuilt while a long process runs (the fuzzer, the bench) does not change its later runs,
 * as with require's cache.
 */
const bodies = new Map<string, ModuleBody>();

/**
 * Evaluates a CommonJS bundle as a new module instance, outside require's cache: its module-level state (SDK clients
 * with their retry quotas, Powertools' logger and metrics, caches) starts fresh, as in a new Lambda execution
 * environment, so no simulation inherits what an earlier one in the process left there. The bundle's own requires (its
 * externals: the AWS SDK, node built-ins) go through `requireFrom`, the caller's require: they get the very module
 * instances the simulator's transport patches, under jest too (whose registry ignores deletions from require.cache).
 */
export function loadFresh<T>(file: string, requireFrom: NodeJS.Require): T {
  let body = bodies.get(file);
  if (!body) {
    // Function, not vm: the code must run in the caller's realm, whose Date and timers the virtual clock fakes (under
    // jest that is the test's context, not the process's). sourceURL keeps the bundle's path in stack traces.
    // eslint-disable-next-line no-new-func
    body = new Function('exports', 'require', 'module', '__filename', '__dirname', `${fs.readFileSync(file, 'utf8')}\n//# sourceURL=${file}`) as ModuleBody;
    bodies.set(file, body);
  }
  const dir = path.dirname(file);
  const module = { exports: {} as T };
  body(module.exports, (id) => requireFrom(id.startsWith('.') ? path.resolve(dir, id) : id), module, file, dir);
  return module.exports;
}
