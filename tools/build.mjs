// Builds the command line into dist/cli.js: bin/cdk-sagemaker-rollout.ts of the repository with the simulator, the
// operator commands and the core bundled in. Everything the package depends on stays a require (installed with it),
// and so does the construct library: a `../lib/...` import becomes `cdk-sagemaker-rollout/dist/lib/...`, the copy
// the user's app installed (its pre-bundled handlers are what the simulator runs).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
// The IAM policy evaluation library is AGPL-licensed: never bundled into this Apache-2.0 package (see
// simulator/twin/iam.ts: the simulator loads it when it is installed).
const optional = ['@cloud-copilot/iam-simulate'];
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...optional].flatMap((d) => [d, `${d}/*`]);

const libraryAsPackage = {
  name: 'construct-library-as-package',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      const rel = relative(join(repo, 'lib'), target);
      if (rel.startsWith('..') || rel === '') return undefined;
      return { path: `cdk-sagemaker-rollout/dist/lib/${rel.replace(/\\/g, '/')}`, external: true };
    });
  },
};

await build({
  absWorkingDir: repo,
  entryPoints: ['bin/cdk-sagemaker-rollout.ts'],
  outfile: join(here, 'dist', 'cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  sourcesContent: false,
  external,
  plugins: [libraryAsPackage],
  logLevel: 'warning',
});
