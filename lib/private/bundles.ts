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
  return dir;
}
