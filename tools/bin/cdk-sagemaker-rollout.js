#!/usr/bin/env node
// The `cdk-sagemaker-rollout` command. The published package runs its build (dist/cli.js). In a clone of the
// repository (where tools/build.mjs exists) it runs the sources instead, so an edit is never hidden behind a stale
// build: each .ts file is transpiled as it is required by esbuild, the compiler of that build (tools/build.mjs), with
// the repository's tsconfig. ts-node's transpiler took about 3 s of CPU per run, six times the command's own work.
const fs = require('node:fs');
const path = require('node:path');

const repo = path.join(__dirname, '..', '..');
const source = path.join(repo, 'bin', 'cdk-sagemaker-rollout.ts');
if (fs.existsSync(path.join(__dirname, '..', 'build.mjs')) && fs.existsSync(source)) {
  const { transformSync } = require('esbuild');
  const tsconfigRaw = fs.readFileSync(path.join(repo, 'tsconfig.json'), 'utf8');
  require.extensions['.ts'] = (module, filename) => {
    const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
      loader: 'ts', format: 'cjs', target: 'node20', tsconfigRaw, sourcefile: filename, sourcemap: 'inline',
    });
    module._compile(code, filename);
  };
  // Stack traces name the .ts lines (the inline source maps).
  process.setSourceMapsEnabled(true);
  require(source);
} else {
  require('../dist/cli.js');
}
