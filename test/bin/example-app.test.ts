import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import type { EndpointSpec } from '../../lambda/core/contract';
import { SageMakerRolloutExampleStack } from '../../bin/example-stack';
import { stateMachineDefinitions, validateAsl } from '../support/asl';

function outdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'example-app-'));
}

function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const found: Array<{ path: string; id: string; reason: string }> = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          found.push({ path: construct.node.path, id, reason });
        }
      }
    }
  }
  return found;
}

describe('example app', () => {
  test('cdk-nag AwsSolutionsChecks finds nothing unacknowledged, and every acknowledgement has a reason', () => {
    const dir = outdir();
    const app = new App({ outdir: dir, context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new SageMakerRolloutExampleStack(app, 'SageMakerRolloutExample');
    // Synthesis throws with the formatted report when a plugin reports a violation.
    app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
    const violations = report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations);
    expect(violations).toEqual([]);

    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(20);
      // Acknowledgements live in the library (controller, endpoints), not in the example stack itself.
      expect(ack.path).not.toBe('SageMakerRolloutExample');
    }
  });

  test('one stack, one controller, three endpoints; the custom one renders its strategy, guards and approval', () => {
    const app = new App({ outdir: outdir(), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new SageMakerRolloutExampleStack(app, 'SageMakerRolloutExample');
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::SageMakerRolloutEndpoint', 3);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(stack.fraud.controller).toBe(stack.recommender.controller);
    const fraud = template.findResources('Custom::SageMakerRolloutEndpoint')[stack.getLogicalId(stack.fraud.resource.node.defaultChild as never)];
    const join = fraud.Properties.Spec['Fn::Join'][1] as unknown[];
    const spec: EndpointSpec = JSON.parse(join.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
    expect(spec.plan.steps.map((s) => s.percent)).toEqual([1, 5, 25, 50, 100]);
    expect(spec.plan.approval).toEqual({ beforeStep: 4, timeoutSeconds: 14400, onTimeout: 'rollback' });
    expect(spec.guards.map((g) => g.name)).toEqual(['error-rate', 'latency-p99', 'error-rate-vs-stable', 'chargeback-rate', 'data-quality']);
    expect(spec.guards[4].judge?.counted?.bad).toEqual({ namespace: 'Fraud/Quality', metricName: 'ScoresOutOfRange', dimensions: [{ name: 'EndpointName', value: '{endpoint}' }, { name: 'VariantName', value: '{slot}' }] });
    expect(spec.metricPublishFrequencySeconds).toBe(10);
    expect(spec.version.environment).toEqual({ MODEL_SERVER_WORKERS: '2', SCORE_THRESHOLD: '0.83' });

    // The cohort endpoint: a shadow phase first, then cohort steps; input and data guards judged on counts; a calendar.
    const search = template.findResources('Custom::SageMakerRolloutEndpoint')[stack.getLogicalId(stack.search.resource.node.defaultChild as never)];
    const searchSpec: EndpointSpec = JSON.parse((search.Properties.Spec['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
    expect(searchSpec.plan.steps.map((s) => (s.mirrorPercent === undefined ? s.percent : `shadow ${s.mirrorPercent}`))).toEqual(['shadow 50', 5, 25, 100]);
    expect(searchSpec.plan.cohort?.trustedEntityIds).toEqual(['tenant-beta', 'staff']);
    expect(searchSpec.guards.map((g) => `${g.name} ${g.judge?.bad}`)).toEqual(['error-rate errors', 'latency-p99 slow', 'input-validity counted']);
    // Neither endpoint combines a shadow phase with counts only callers could publish (the synth warning).
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('published outside SageMaker'))).toEqual([]);
    expect(searchSpec.version.modelDataCrc64Nvme).toBe('rosUhgp5mIg=');
    expect(searchSpec.releaseCalendar?.timeZone).toBe('Europe/Berlin');
  });

  // The only test that bundles: the handlers must build with esbuild, leaving the AWS SDK out.
  test('synthesizes with bundled handlers', () => {
    const dir = outdir();
    const app = new App({ outdir: dir });
    const stack = new SageMakerRolloutExampleStack(app, 'SageMakerRolloutExample');
    const assembly = app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
    const bundles = Object.values<{ source: { path: string; packaging?: string } }>(manifest.files)
      .filter((file) => file.source.packaging === 'zip')
      .map((file) => path.join(dir, file.source.path, 'index.js'));
    expect(bundles).toHaveLength(3);
    for (const bundle of bundles) {
      const code = fs.readFileSync(bundle, 'utf8');
      expect(code).toContain('handler');
      // @aws-sdk/* is external (provided by the Node.js 22 runtime), so bundles stay small.
      expect(code).not.toMatch(/node_modules\/@aws-sdk\/client-/);
      expect(fs.statSync(bundle).size).toBeLessThan(1_500_000);
    }
    expect(Stack.of(stack.fraud).stackName).toBe('SageMakerRolloutExample');

    // Every state machine in the cloud assembly (what `cdk synth` writes to cdk.out) is valid Amazon States Language.
    const templates = fs.readdirSync(dir).filter((f) => f.endsWith('.template.json'));
    const machines = templates.flatMap((f) => Object.values(stateMachineDefinitions(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))));
    expect(machines).toHaveLength(1);
    for (const machine of machines) {
      const result = validateAsl(machine);
      expect(result.errorsText('\n')).toBe('');
      expect(result.isValid).toBe(true);
    }
  });
});
