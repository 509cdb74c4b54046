#!/usr/bin/env node
// The consumer test: what a new user does. Packs both packages (prepack builds them), installs the tarballs into a
// fresh CDK TypeScript app in a temporary folder, offline from the npm cache that `npm ci` filled, and in that app:
//   (a) synthesizes with ts-node, (b) synthesizes from tsc-compiled JavaScript, (c) type-checks with a strict tsconfig
//   (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, skipLibCheck false), (d) runs the installed CLI's
//   --help through npx, (e) runs `simulate` on one of the app's endpoints, (f) routes entities with the routing client
//   imported from its subpath, `cdk-sagemaker-rollout/client`.
// Before that, the packed library goes through @jsii/kernel (scripts/jsii-kernel-check.cjs), and API.md is compared
// with what jsii-docgen makes of the fresh assembly.
// The app composes three endpoints into an existing stack. It has neither esbuild nor Docker: the check fails if
// esbuild is installed there or a Lambda asset is not the shipped bundle.
// Exit code 0 when every check passed; 1 otherwise. Ends with "N passed, M failed".
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'rollout-consumer-'));
const app = join(work, 'app');
const results = [];

function run(cmd, args, options = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options, env: { ...process.env, ...options.env } });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${output.trim().split('\n').slice(-25).join('\n')}`);
  }
  return { output, stdout: r.stdout ?? '', seconds: (Date.now() - started) / 1000 };
}

function check(name, fn) {
  const started = Date.now();
  try {
    const note = fn();
    results.push({ name, ok: true });
    process.stdout.write(`  ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${note ? `: ${note}` : ''}\n`);
  } catch (error) {
    results.push({ name, ok: false });
    process.stdout.write(`  ✗ ${name}\n${String(error.message).split('\n').map((l) => `      ${l}`).join('\n')}\n`);
  }
}

/** The asset directories a cloud assembly's Lambda functions use, by the hash of their index.js. */
function lambdaAssets(outdir) {
  const hashes = readdirSync(outdir).filter((d) => d.startsWith('asset.') && statSync(join(outdir, d)).isDirectory())
    .filter((d) => existsSync(join(outdir, d, 'index.js')))
    .map((d) => createHash('sha256').update(readFileSync(join(outdir, d, 'index.js'))).digest('hex'));
  return hashes.sort();
}

function verifySynth(outdir, shipped) {
  const template = JSON.parse(readFileSync(join(outdir, 'ExistingServiceStack.template.json'), 'utf8'));
  const resources = Object.values(template.Resources);
  const endpoints = resources.filter((r) => r.Type === 'Custom::SageMakerRolloutEndpoint');
  const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler');
  // The consumer's own queue, beside the controller's alarm-event dead-letter queue.
  const existing = Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === 'AWS::SQS::Queue' && !id.startsWith('SageMakerRolloutController')).map(([, r]) => r);
  if (endpoints.length !== 3) throw new Error(`expected 3 endpoints in the stack, found ${endpoints.length}`);
  if (functions.length !== 3) throw new Error(`expected the controller's 3 functions once per stack, found ${functions.length}`);
  if (existing.length !== 1) throw new Error('the stack\'s own resource (a queue) is missing');
  const assets = lambdaAssets(outdir);
  if (JSON.stringify(assets) !== JSON.stringify(shipped)) {
    throw new Error(`the Lambda assets are not the shipped bundles:\n  assets  ${assets.join(' ')}\n  shipped ${shipped.join(' ')}`);
  }
}

const APP_TS = `import { App, Stack, StackProps, Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BlueGreenEndpoint, Exposure, Guard, ModelData, ModelVersion, RolloutStrategy } from 'cdk-sagemaker-rollout';
import { CohortRouter, CohortRoute } from 'cdk-sagemaker-rollout/client';

/** What the caller's service does with the routing client: the route of one entity under a plan it read. */
export function routeOf(planDocument: string, entityId: string): CohortRoute {
  return CohortRouter.routeWithPlan(planDocument, entityId);
}

/** An existing service stack that gains three SageMaker endpoints. */
export class ExistingServiceStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    new sqs.Queue(this, 'Jobs');
    const image = (name: string) => ModelVersion.fromImageUri(
      \`123456789012.dkr.ecr.eu-west-1.amazonaws.com/\${name}@sha256:\${'a'.repeat(64)}\`,
      { modelData: ModelData.fromS3Uri(\`s3://models-bucket/\${name}/model.tar.gz\`) },
    );
    new BlueGreenEndpoint(this, 'Fraud', {
      endpointName: 'fraud-scoring',
      modelVersion: image('fraud'),
      strategy: RolloutStrategy.canary({ steps: [5, 25, 50], bake: Duration.minutes(5) }),
      guards: [Guard.errorRate({ thresholdPercent: 1 }), Guard.latency({ percentile: 99, threshold: Duration.millis(500) })],
      smokeTestPayloads: ['{"amount": 12.5}'],
    });
    const recommender = new BlueGreenEndpoint(this, 'Recommender', {
      endpointName: 'recommender',
      modelVersion: image('recommender'),
      strategy: RolloutStrategy.canary({ steps: [5, 25], bake: Duration.minutes(5), exposure: Exposure.cohorts({ trustedEntityIds: ['tenant-beta'] }) }),
    });
    recommender.grantRoute(new iam.Role(this, 'CallerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    new BlueGreenEndpoint(this, 'Ranking', {
      endpointName: 'ranking',
      modelVersion: image('ranking'),
      strategy: RolloutStrategy.linear({ stepPercent: 25, bake: Duration.minutes(5) }),
    });
  }
}

if (require.main === module) {
const app = new App();
new ExistingServiceStack(app, 'ExistingServiceStack', { env: { account: '123456789012', region: 'eu-west-1' } });
app.synth();
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'commonjs', lib: ['es2022'], outDir: 'build', rootDir: '.',
    strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false,
    esModuleInterop: true, types: ['node'],
  },
  include: ['app.ts'],
};


const CONSUMER_DEPS = ['aws-cdk-lib', 'constructs', 'typescript', 'ts-node', '@types/node'];

function consumerPackage(tarballs) {
  const dependencies = Object.fromEntries(CONSUMER_DEPS.map((d) => [d, lock.packages[`node_modules/${d}`].version]));
  for (const [name, t] of Object.entries(tarballs)) dependencies[name] = `file:${t.file}`;
  return { name: 'consumer-app', version: '1.0.0', private: true, dependencies };
}

/** The repository's lock entries for everything the consumer installs (Node's resolution, nested first). */
function consumerLock(tarballs) {
  const packages = { '': consumerPackage(tarballs) };
  const tools = JSON.parse(readFileSync(join(repo, 'tools', 'package.json'), 'utf8'));
  const queue = [...CONSUMER_DEPS.map((d) => ['', d]), ...Object.keys(tools.dependencies).map((d) => ['', d])];
  const integrity = (file) => `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
  for (const [name, t] of Object.entries(tarballs)) {
    const manifest = name === 'cdk-sagemaker-rollout' ? JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) : tools;
    packages[`node_modules/${name}`] = {
      version: manifest.version, resolved: `file:${t.file}`, integrity: integrity(t.file), license: manifest.license,
      ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}),
      ...(manifest.bin ? { bin: manifest.bin } : {}),
      peerDependencies: manifest.peerDependencies, ...(manifest.peerDependenciesMeta ? { peerDependenciesMeta: manifest.peerDependenciesMeta } : {}),
    };
  }
  while (queue.length) {
    const [from, dep] = queue.shift();
    let base = from;
    let found;
    for (;;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${dep}`;
      if (lock.packages[candidate] && !lock.packages[candidate].link) { found = candidate; break; }
      if (!base) break;
      const i = base.lastIndexOf('/node_modules/');
      base = i < 0 ? '' : base.slice(0, i);
    }
    if (!found) {
      const optional = lock.packages[from]?.optionalDependencies?.[dep] || lock.packages[from]?.peerDependenciesMeta?.[dep]?.optional;
      if (optional || lock.packages[from]?.peerDependencies?.[dep]) continue;
      throw new Error(`${dep} (needed by ${from || 'the consumer'}) is not in package-lock.json`);
    }
    if (packages[found]) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[found];
    packages[found] = entry;
    for (const d of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {})]) queue.push([found, d]);
  }
  return { name: 'consumer-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

let failedEarly = false;
try {
  process.stdout.write(`consumer test in ${work}\n`);
  // The shipped bundles' hashes, built fresh by prepack below (and twice, to show the build is reproducible).
  let shipped = [];
  const tarballs = {};
  check('pack both packages (prepack builds them); bundles are reproducible', () => {
    const packed = run('npm', ['pack', '--json', '--pack-destination', work, '--workspaces', '--include-workspace-root'], { cwd: repo });
    const list = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m)));
    for (const p of list) tarballs[p.name] = { file: join(work, p.filename), files: p.entryCount, size: p.size, unpacked: p.unpackedSize };
    const bundles = join(repo, 'dist', 'bundles');
    const hashes = () => readdirSync(bundles).sort().map((b) => createHash('sha256').update(readFileSync(join(bundles, b, 'index.js'))).digest('hex'));
    shipped = hashes().sort();
    run('node', [join(repo, 'scripts', 'bundle-lambdas.mjs'), '--quiet']);
    if (JSON.stringify(hashes().sort()) !== JSON.stringify(shipped)) throw new Error('a second build of the Lambda bundles gave other bytes');
    return Object.entries(tarballs).map(([n, t]) => `${n} ${t.files} files, ${(t.size / 1024).toFixed(0)} KiB packed`).join('; ');
  });
  if (Object.keys(tarballs).length !== 2) throw new Error('packing failed: nothing to install');

  check('API.md is what jsii-docgen makes of the assembly just built', () => {
    const fresh = join(work, 'API.md');
    run('npx', ['--no-install', 'jsii-docgen', '-o', fresh], { cwd: repo });
    if (readFileSync(fresh, 'utf8') !== readFileSync(join(repo, 'API.md'), 'utf8')) throw new Error('API.md is out of date: run `npm run docgen` and commit it');
  });

  check('the jsii assembly through @jsii/kernel (what Python, Java, .NET and Go call): App, Stack, BlueGreenEndpoint, synth', () => {
    const r = run('node', [join(repo, 'scripts', 'jsii-kernel-check.cjs'), tarballs['cdk-sagemaker-rollout'].file]);
    return r.stdout.trim().split('\n').length + ' checks';
  });

  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify(consumerPackage(tarballs), null, 2));
  writeFileSync(join(app, 'app.ts'), APP_TS);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(join(app, 'cdk.json'), JSON.stringify({ app: 'npx ts-node app.ts' }, null, 2));

  check('install the tarballs offline from the npm cache (no esbuild, no Docker)', () => {
    // npm ci fetched tarballs, not registry metadata, so an offline install needs a lock file: the consumer's is cut
    // from the repository's (same versions, resolved URLs and integrity), with the two packed tarballs in it.
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(consumerLock(tarballs), null, 2));
    const r = run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app });
    if (existsSync(join(app, 'node_modules', 'esbuild'))) throw new Error('esbuild got installed into the consumer app: something depends on it');
    return `${r.seconds.toFixed(0)} s`;
  });

  check('(a) synth with ts-node: three endpoints, the shipped bundles as Lambda code', () => {
    const out = join(work, 'out-ts-node');
    const r = run('npx', ['--no-install', 'ts-node', 'app.ts'], { cwd: app, env: { CDK_OUTDIR: out } });
    verifySynth(out, shipped);
    return `synth of three endpoints ${r.seconds.toFixed(1)} s`;
  });

  check('(c) strict type-check (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, skipLibCheck false)', () => {
    // aws-cdk-lib's own declarations do not pass exactOptionalPropertyTypes with skipLibCheck false (a fact of
    // aws-cdk-lib that no consumer can fix); every other file must be clean: the app, this package, constructs.
    const r = spawnSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /error TS\d+/.test(l));
    const ours = errors.filter((l) => !l.startsWith('node_modules/aws-cdk-lib/'));
    if (ours.length || (r.status !== 0 && errors.length === 0)) throw new Error(`tsc reported:\n${(ours.length ? ours : [`${r.stdout}${r.stderr}`]).join('\n')}`);
    return `no errors outside aws-cdk-lib (aws-cdk-lib's own declarations: ${errors.length})`;
  });

  check('(b) synth from tsc-compiled JavaScript', () => {
    const out = join(work, 'out-tsc');
    if (!existsSync(join(app, 'build', 'app.js'))) throw new Error('tsc wrote no build/app.js (see the type-check above)');
    const r = run('node', ['build/app.js'], { cwd: app, env: { CDK_OUTDIR: out } });
    verifySynth(out, shipped);
    return `synth ${r.seconds.toFixed(1)} s`;
  });

  check('(f) the routing client through its subpath: cdk-sagemaker-rollout/client routes by entity, sticky, scrubbed to stable', () => {
    // build/app.js (tsc, check (b)) imports the client from the subpath the package exports; the plan read is the
    // controller's document shape, and the exposure plan parameter is in the template with the caller's read grant.
    const script = `const { routeOf } = require('./build/app.js');
const { CohortRouter } = require('cdk-sagemaker-rollout/client');
const plan = (state, percent) => JSON.stringify({ version: 1, endpointName: 'recommender', state, rolloutId: 'r1', stableVariant: 'blue',
  candidateVariant: 'green', percent, trustedEntityIds: ['tenant-beta'], publishedAt: 0 });
const ids = Array.from({ length: 20000 }, (_, i) => 'user-' + i);
const at = (p) => ids.filter((id) => routeOf(plan('exposing', p), id).targetVariant === 'green');
const five = at(5), twentyFive = new Set(at(25));
if (!five.every((id) => twentyFive.has(id))) throw new Error('an entity exposed at 5% is not exposed at 25%');
if (Math.abs(five.length / ids.length - 0.05) > 0.01) throw new Error('exposure at 5% is ' + five.length / ids.length);
if (routeOf(plan('exposing', 5), 'tenant-beta').reason !== 'trusted') throw new Error('the trusted tenant is not exposed first');
if (ids.some((id) => CohortRouter.routeWithPlan(plan('scrubbed', 0), id).targetVariant !== 'blue')) throw new Error('a scrubbed plan routes off the stable');
if (CohortRouter.routeWithPlan('not a plan', 'user-1').targetVariant !== undefined) throw new Error('an unreadable plan routes to a variant');
new CohortRouter({ endpointName: 'recommender', planParameterName: '/p' });
console.log(five.length + ' of ' + ids.length + ' exposed at 5%');`;
    const r = run('node', ['-e', script], { cwd: app });
    const template = JSON.parse(readFileSync(join(work, 'out-tsc', 'ExistingServiceStack.template.json'), 'utf8'));
    const parameters = Object.values(template.Resources).filter((x) => x.Type === 'AWS::SSM::Parameter');
    if (parameters.length !== 1 || !String(parameters[0].Properties.Name).endsWith('/recommender/exposure-plan')) {
      throw new Error(`expected the recommender's exposure plan parameter, found ${JSON.stringify(parameters.map((x) => x.Properties.Name))}`);
    }
    return r.stdout.trim();
  });

  check('(d) the installed CLI: npx cdk-sagemaker-rollout --help', () => {
    const r = run('npx', ['--no-install', 'cdk-sagemaker-rollout', '--help'], { cwd: app });
    for (const command of ['status', 'history', 'approve', 'reject', 'rollback', 'abort', 'simulate']) {
      if (!new RegExp(`^\\s+${command}\\b`, 'm').test(r.output)) throw new Error(`--help does not list ${command}:\n${r.output}`);
    }
    const sub = run('npx', ['--no-install', 'cdk-sagemaker-rollout', 'status', '--help'], { cwd: app });
    for (const flag of ['--region', '--profile', '--json']) if (!sub.output.includes(flag)) throw new Error(`status --help lacks ${flag}`);
  });

  check('(e) simulate --app on the app\'s endpoint (hard failure preset): rolled back, invariants hold, HTML report', () => {
    const reports = join(work, 'reports');
    const r = run('npx', ['--no-install', 'cdk-sagemaker-rollout', 'simulate', '--app', 'npx ts-node --transpile-only app.ts', '--endpoint', 'fraud-scoring',
      '--scenario', 'hard-failure', '--out', reports, '--json'], { cwd: app });
    const [summary] = JSON.parse(r.stdout.slice(r.stdout.search(/^\[/m)));
    if (summary?.outcome !== 'rolled-back') throw new Error(`expected the hard failure to be rolled back, got ${summary?.outcome}:\n${r.output.slice(0, 2000)}`);
    if (!summary.invariants.every((i) => i.holds)) throw new Error(`an invariant broke: ${JSON.stringify(summary.invariants)}`);
    if (!existsSync(summary.report) || !readFileSync(summary.report, 'utf8').includes('<html')) throw new Error(`no HTML report at ${summary.report}`);
    return `outcome ${summary.outcome}, ${r.seconds.toFixed(1)} s`;
  });
} catch (error) {
  failedEarly = true;
  results.push({ name: 'setup', ok: false });
  process.stdout.write(`  ✗ ${error.message}\n`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok).length;
process.stdout.write(`\nconsumer: ${results.length - failed} passed, ${failed} failed\n`);
process.exitCode = failed || failedEarly ? 1 : 0;
