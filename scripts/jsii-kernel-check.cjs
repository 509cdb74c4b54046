#!/usr/bin/env node
// Drives the packed construct library through @jsii/kernel, the runtime that the Python, Java, .NET and Go bindings
// call: load the assemblies from tarballs, create an App, a Stack and a BlueGreenEndpoint (structs, enum-like
// statics, Duration) by jsii type names, synthesize, and read the template back through the kernel.
// Usage: node scripts/jsii-kernel-check.cjs <cdk-sagemaker-rollout tarball>. Prints the checks; exit 1 on failure.
//
// The registry these machines reach has @jsii/kernel 1.22.0 only (the kernel of the current @jsii/runtime, 1.14x, is
// not published there). That kernel predates two things current aws-cdk-lib needs, and this script supplies them for
// aws-cdk-lib and constructs only, never for this package: (1) it reads `.jsii` as plain JSON, while aws-cdk-lib
// ships it gzipped behind a `jsii/file-redirect` (current kernels inflate it on load: so does this script), and
// (2) it refuses to tag one constructor under two type names, which aws-cdk-lib's aliases need (current kernels
// tag it once). aws-cdk-lib and constructs are loaded as small packages that re-export the installed copies (one
// copy of constructs for both), because packing aws-cdk-lib's 160 MB on every run would dominate the test's time.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { Kernel } = require('@jsii/kernel');
const objects = require('@jsii/kernel/lib/objects');

const tarball = process.argv[2];
if (!tarball || !fs.existsSync(tarball)) {
  process.stderr.write(`usage: jsii-kernel-check.cjs <cdk-sagemaker-rollout-x.y.z.tgz> (got ${tarball ?? 'nothing'})\n`);
  process.exit(2);
}
const repo = path.join(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-kernel-check-'));

const tagOnce = objects.tagJsiiConstructor;
objects.tagJsiiConstructor = (ctor, fqn) => {
  if (!Object.prototype.hasOwnProperty.call(ctor, Symbol.for('__jsii__'))) tagOnce(ctor, fqn);
};

/** A tarball of a package that re-exports the installed `name` (its entry and subpaths), with its assembly inflated. */
function reexportingTarball(name) {
  const real = path.dirname(require.resolve(`${name}/package.json`, { paths: [repo] }));
  const manifest = JSON.parse(fs.readFileSync(path.join(real, 'package.json'), 'utf8'));
  const pkg = path.join(work, name, 'package');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version: manifest.version, main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), `module.exports = require(${JSON.stringify(real)});\n`);
  for (const sub of Object.keys(manifest.exports ?? {})) {
    if (sub === '.' || !/^\.\/[\w./-]+$/.test(sub) || /\.\w+$/.test(sub)) continue;
    fs.mkdirSync(path.join(pkg, sub), { recursive: true });
    fs.writeFileSync(path.join(pkg, sub, 'index.js'), `module.exports = require(${JSON.stringify(path.join(real, sub))});\n`);
  }
  let assembly = fs.readFileSync(path.join(real, '.jsii'));
  const redirect = assembly.length < 4096 ? JSON.parse(assembly.toString('utf8')) : undefined;
  if (redirect?.schema === 'jsii/file-redirect') assembly = zlib.gunzipSync(fs.readFileSync(path.join(real, redirect.filename)));
  fs.writeFileSync(path.join(pkg, '.jsii'), assembly);
  const file = path.join(work, `${name}.tgz`);
  execFileSync('tar', ['czf', file, '-C', path.dirname(pkg), 'package']);
  return { name, version: manifest.version, tarball: file };
}

const failures = [];
function expect(what, ok, detail) {
  process.stdout.write(`  ${ok ? '✓' : '✗'} ${what}${ok ? '' : `: ${detail}`}\n`);
  if (!ok) failures.push(what);
}

try {
  const kernel = new Kernel(() => { throw new Error('the kernel asked for a callback: none is expected'); });
  for (const dep of ['constructs', 'aws-cdk-lib']) kernel.load(reexportingTarball(dep));
  const ours = JSON.parse(execFileSync('tar', ['xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf8' }));
  const loaded = kernel.load({ name: ours.name, version: ours.version, tarball });
  expect('the package loads from its tarball with its assembly', loaded.assembly === 'cdk-sagemaker-rollout' && loaded.types > 20, JSON.stringify(loaded));

  const sinvoke = (fqn, method, args) => kernel.sinvoke({ fqn, method, args }).result;
  const outdir = path.join(work, 'cdk.out');
  const app = kernel.create({ fqn: 'aws-cdk-lib.App', args: [{ outdir }] });
  const stack = kernel.create({ fqn: 'aws-cdk-lib.Stack', args: [app, 'PythonStack', { env: { account: '123456789012', region: 'eu-west-1' } }] });
  const modelVersion = sinvoke('cdk-sagemaker-rollout.ModelVersion', 'fromImageUri', [
    `123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud@sha256:${'c'.repeat(64)}`,
    { modelData: sinvoke('cdk-sagemaker-rollout.ModelData', 'fromS3Uri', ['s3://models/fraud/model.tar.gz']) },
  ]);
  const bake = sinvoke('aws-cdk-lib.Duration', 'minutes', [10]);
  const strategy = sinvoke('cdk-sagemaker-rollout.RolloutStrategy', 'canary', [{ steps: [5, 50], bake }]);
  const guard = sinvoke('cdk-sagemaker-rollout.Guard', 'errorRate', [{ thresholdPercent: 2 }]);
  const endpoint = kernel.create({
    fqn: 'cdk-sagemaker-rollout.BlueGreenEndpoint',
    args: [stack, 'Fraud', { endpointName: 'fraud-scoring', modelVersion, strategy, guards: [guard], instanceType: 'ml.c6i.xlarge' }],
  });
  expect('BlueGreenEndpoint is created by its jsii type name', JSON.stringify(endpoint).includes('cdk-sagemaker-rollout.BlueGreenEndpoint@'), JSON.stringify(endpoint));
  const name = kernel.get({ objref: endpoint, property: 'endpointName' }).value;
  expect('a property reads back through the kernel', name === 'fraud-scoring', name);

  const cloudAssembly = kernel.invoke({ objref: app, method: 'synth', args: [] }).result;
  const stackArtifact = kernel.invoke({ objref: cloudAssembly, method: 'getStackByName', args: ['PythonStack'] }).result;
  const template = kernel.get({ objref: stackArtifact, property: 'template' }).value;
  const resources = Object.values(template.Resources);
  const custom = resources.filter((r) => r.Type === 'Custom::SageMakerRolloutEndpoint');
  const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
  // Spec is a JSON string, or an Fn::Join of one around tokens (the role ARN): read it with the tokens blanked.
  const rawSpec = custom[0]?.Properties.Spec;
  const join = rawSpec?.['Fn::Join'];
  const spec = JSON.parse(typeof rawSpec === 'string' ? rawSpec : join ? join[1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(join[0]) : '{}');
  expect('synth gives one endpoint resource with the strategy passed as a struct', custom.length === 1 && spec.plan?.steps?.map((s) => s.percent).join(',') === '5,50,100',
    JSON.stringify(spec.plan ?? custom.length));
  expect('the controller\'s three functions run the shipped bundles', functions.length === 3 && functions.every((f) => f.Properties.Handler === 'index.handler'),
    JSON.stringify(functions.map((f) => f.Properties.Handler)));
  expect('the state machine is in the template', resources.some((r) => r.Type === 'AWS::StepFunctions::StateMachine'), 'missing');
} catch (error) {
  expect('the kernel session', false, error.stack ?? error.message);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
process.exitCode = failures.length ? 1 : 0;
