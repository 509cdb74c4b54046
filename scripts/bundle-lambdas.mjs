#!/usr/bin/env node
// Bundles the controller's Lambda handlers with esbuild into dist/bundles/<handler>/index.js (+ index.js.map), the
// directories the constructs hand to lambda.Code.fromAsset and the package ships. Minified, with source maps, and
// reproducible: the same sources give the same bytes, so the asset hash changes only when the code does.
// The AWS SDK v3 (@aws-sdk/*, @smithy/*) stays out: the pinned Node.js 22 Lambda runtime provides it. Everything else
// (@aws-lambda-powertools/logger, the core) goes in.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HANDLERS = { step: 'lambda/handlers/step.ts', deploy: 'lambda/handlers/deploy.ts', 'guard-listener': 'lambda/handlers/guard-listener.ts' };
const outRoot = join(root, 'dist', 'bundles');
const quiet = process.argv.includes('--quiet');

rmSync(outRoot, { recursive: true, force: true });
for (const [name, entry] of Object.entries(HANDLERS)) {
  const outfile = join(outRoot, name, 'index.js');
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    external: ['@aws-sdk/*', '@smithy/*'],
    legalComments: 'none',
    logLevel: 'warning',
    metafile: false,
    write: false,
  });
  for (const file of result.outputFiles) {
    // sourcemap "external" writes no comment: add a fixed one so Node (--enable-source-maps) finds the map.
    const text = file.path.endsWith('.js') ? `${file.text}//# sourceMappingURL=index.js.map\n` : file.text;
    writeFileSync(file.path, text);
  }
  if (!quiet) {
    const js = readFileSync(outfile);
    const map = readFileSync(`${outfile}.map`);
    const hash = createHash('sha256').update(js).update(map).digest('hex').slice(0, 12);
    process.stdout.write(`dist/bundles/${name}: index.js ${(js.length / 1024).toFixed(1)} KiB, map ${(map.length / 1024).toFixed(1)} KiB, sha256 ${hash}\n`);
  }
}
