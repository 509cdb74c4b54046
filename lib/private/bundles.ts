import * as fs from 'node:fs';
import * as path from 'node:path';

/** The controller's Lambda handlers, bundled by `scripts/bundle-lambdas.mjs` when the package is built. */
export type HandlerBundle = 'step' | 'deploy' | 'guard-listener';

const PACKAGE_ROOT = path.basename(path.join(__dirname, '..', '..')) === 'dist'
  ? path.join(__dirname, '..', '..', '..')
  : path.join(__dirname, '..', '..');

/**
 * The directory holding one handler's pre-bundled code (`index.js` + `index.js.map`).
 *
 * An installed package ships them in `dist/bundles/`, beside the compiled `dist/lib/` (this file runs from
 * `dist/lib/private/`); a clone of the repository runs `lib/` from source and finds the bundles its build step wrote
 * to `dist/bundles/`.
 */
export function handlerBundleDir(handler: HandlerBundle, packageRoot: string = PACKAGE_ROOT): string {
  const dir = path.join(packageRoot, 'dist', 'bundles', handler);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(
      `cdk-sagemaker-rollout: the pre-bundled code of the '${handler}' Lambda handler is missing (${path.join(dir, 'index.js')}). `
      + 'An installed package ships it: reinstall cdk-sagemaker-rollout. In a clone of the repository, build it with '
      + '`npm run build:lambda` (or `npm run build`).',
    );
  }
  assertNotStale(dir, packageRoot);
  return dir;
}

/**
 * In a clone (the handler sources sit beside the package root), a bundle older than any `lambda/` source would run
 * yesterday's code in synth, the simulator and the tests: refuse it. An installed package has no sources to compare.
 */
function assertNotStale(dir: string, packageRoot: string): void {
  const sources = path.join(packageRoot, 'lambda');
  if (!fs.existsSync(path.join(sources, 'handlers'))) return;
  const built = fs.statSync(path.join(dir, 'index.js')).mtimeMs;
  const newer = newestSource(sources);
  if (newer && newer.mtimeMs > built) {
    throw new Error(
      `cdk-sagemaker-rollout: the pre-bundled Lambda code in ${dir} is older than ${path.relative(packageRoot, newer.file)}: `
      + 'rebuild it with `npm run build:lambda` (npm test, npm start, npm run sim and cdk synth do it first).',
    );
  }
}

function newestSource(dir: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    const found = entry.isDirectory() ? newestSource(file) : entry.name.endsWith('.ts') ? { file, mtimeMs: fs.statSync(file).mtimeMs } : undefined;
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}
