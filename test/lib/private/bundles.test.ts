import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { handlerBundleDir } from '../../../lib/private/bundles';
import { BlueGreenEndpoint } from '../../../lib';
import { ecrVersion, testStack } from '../fixtures';

describe('pre-bundled handlers', () => {
  test('the controller runs the bundles from dist/bundles with source maps on Node.js 22', () => {
    const stack = testStack();
    new BlueGreenEndpoint(stack, 'Endpoint', { endpointName: 'fraud', modelVersion: ecrVersion(stack) });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(3);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    for (const handler of ['step', 'deploy', 'guard-listener'] as const) {
      const dir = handlerBundleDir(handler);
      expect(path.relative(path.join(__dirname, '..', '..', '..'), dir)).toBe(path.join('dist', 'bundles', handler));
      expect(fs.readFileSync(path.join(dir, 'index.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=index\.js\.map\n$/);
    }
  });

  test('a bundle that was not built is named with the command that builds it', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-bundles-'));
    expect(() => handlerBundleDir('step', empty)).toThrow(/pre-bundled code of the 'step' Lambda handler is missing .*npm run build:lambda/);
  });

  test('in a clone, a bundle older than a lambda/ source is refused with the command that rebuilds it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-bundles-'));
    const bundle = path.join(root, 'dist', 'bundles', 'step');
    fs.mkdirSync(bundle, { recursive: true });
    fs.mkdirSync(path.join(root, 'lambda', 'handlers'), { recursive: true });
    fs.writeFileSync(path.join(bundle, 'index.js'), '');
    fs.writeFileSync(path.join(root, 'lambda', 'handlers', 'step.ts'), '');
    fs.utimesSync(path.join(bundle, 'index.js'), new Date(2026, 0, 1), new Date(2026, 0, 1));
    expect(() => handlerBundleDir('step', root)).toThrow(/older than lambda\/handlers\/step\.ts: rebuild it with `npm run build:lambda`/);
    fs.utimesSync(path.join(bundle, 'index.js'), new Date(), new Date(Date.now() + 60_000));
    expect(handlerBundleDir('step', root)).toBe(bundle);
  });
});
