#!/usr/bin/env node
// The `cdk-sagemaker-rollout` command. The published package runs its build (dist/cli.js). In a clone of the
// repository (where tools/build.mjs exists) it runs the sources through ts-node instead, so an edit is never hidden
// behind a stale build.
const fs = require('node:fs');
const path = require('node:path');

const source = path.join(__dirname, '..', '..', 'bin', 'cdk-sagemaker-rollout.ts');
if (fs.existsSync(path.join(__dirname, '..', 'build.mjs')) && fs.existsSync(source)) {
  require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', '..', 'tsconfig.json') });
  require(source);
} else {
  require('../dist/cli.js');
}
