import { App, Stack } from 'aws-cdk-lib';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BlueGreenEndpoint } from '../lib/blue-green-endpoint';
import { handlerBundleDir } from '../lib/private/bundles';
import { ModelData, ModelVersion } from '../lib/model-version';
import { ACCOUNT, REGION } from '../simulator/template';
import { table } from './report';

/**
 * Limits a stack of many endpoints meets, with their sources: CloudFormation "Resources: 500 per stack" and "Template
 * body size in an Amazon S3 object: 1 MB" (AWS CloudFormation quotas,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html); EventBridge "Event
 * pattern size: 2,048 characters" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html); IAM
 * "Role policy size: 10,240 characters" for a role's inline policies together
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const LIMITS = { resources: 500, templateBytes: 1_000_000, eventPatternChars: 2048, rolePolicyChars: 10_240 };

export interface ScaleRow {
  readonly endpoints: number;
  readonly synthSeconds?: number;
  readonly templateBytes?: number;
  readonly resources?: number;
  readonly resourcesPerEndpoint?: number;
  readonly longestEventPattern?: number;
  readonly largestRolePolicy?: number;
  readonly error?: string;
}

/** Synthesizes one stack with `n` endpoints (the construct's defaults) and measures it; a synth error is a figure too. */
export function measureStack(n: number): ScaleRow {
  const started = Date.now();
  try {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
    const stack = new Stack(app, `Scale${n}`, { env: { account: ACCOUNT, region: REGION } });
    for (let i = 0; i < n; i++) {
      new BlueGreenEndpoint(stack, `Endpoint${i}`, {
        endpointName: `scale-endpoint-${i}`,
        modelVersion: ModelVersion.fromImageUri(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/model@sha256:${'a'.repeat(64)}`, {
          modelData: ModelData.fromS3Uri(`s3://models/${i}/model.tar.gz`, { sha256: 'b'.repeat(64) }),
        }),
      });
    }
    const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties?: any }> };
    const seconds = (Date.now() - started) / 1000;
    const resources = Object.values(template.Resources);
    const rules = resources.filter((r) => r.Type === 'AWS::Events::Rule').map((r) => JSON.stringify(r.Properties?.EventPattern ?? {}).length);
    // A role's inline policies count together against the role policy quota.
    const byRole = new Map<string, number>();
    for (const r of resources.filter((x) => x.Type === 'AWS::IAM::Policy')) {
      for (const role of r.Properties?.Roles ?? []) {
        const key = JSON.stringify(role);
        byRole.set(key, (byRole.get(key) ?? 0) + JSON.stringify(r.Properties.PolicyDocument).length);
      }
    }
    return {
      endpoints: n,
      synthSeconds: seconds,
      templateBytes: JSON.stringify(template).length,
      resources: resources.length,
      resourcesPerEndpoint: undefined,
      longestEventPattern: Math.max(0, ...rules),
      largestRolePolicy: Math.max(0, ...byRole.values()),
    };
  } catch (error) {
    return { endpoints: n, synthSeconds: (Date.now() - started) / 1000, error: (error as Error).message.replace(/\s+/g, ' ').trim().slice(0, 400) };
  }
}

/** Endpoint counts measured, resources per endpoint from the difference between consecutive stacks. */
export function scaleTable(counts: readonly number[] = [1, 10, 25, 50, 100]): string {
  const rows = counts.map(measureStack);
  const base = rows.find((r) => r.endpoints === 1 && r.resources !== undefined);
  const over = (value: number | undefined, limit: number) => (value === undefined ? '-' : `${value}${value > limit ? ' (over the limit)' : ''}`);
  const body = rows.map((r) => [
    String(r.endpoints),
    r.synthSeconds === undefined ? '-' : r.synthSeconds.toFixed(1),
    over(r.templateBytes, LIMITS.templateBytes),
    over(r.resources, LIMITS.resources),
    base && r.resources !== undefined && r.endpoints > 1 ? ((r.resources - base.resources!) / (r.endpoints - 1)).toFixed(1) : '-',
    over(r.longestEventPattern, LIMITS.eventPatternChars),
    over(r.largestRolePolicy, LIMITS.rolePolicyChars),
    r.error ? `synth failed: ${r.error.replace(/\|/g, '/')}` : '',
  ]);
  return table(['endpoints', 'synth s', 'template bytes', 'resources', 'resources per endpoint', 'longest event pattern (chars)', 'largest role policy (chars)', 'error'], body)
    + `\n\nLimits: ${LIMITS.resources} resources per stack, ${LIMITS.templateBytes.toLocaleString('en-US')} bytes of template (via S3), `
    + `${LIMITS.eventPatternChars} characters per event pattern, ${LIMITS.rolePolicyChars.toLocaleString('en-US')} characters of a role's inline policies (sources in bench/scale.ts).\n`;
}

/** The size of each pre-bundled Lambda handler the package ships (what a deploy uploads). */
export function bundleTable(): string {
  const rows = ['step', 'deploy', 'guard-listener'].map((name) => {
    const file = path.join(handlerBundleDir(name as never), 'index.js');
    return [name, fs.existsSync(file) ? `${(fs.statSync(file).size / 1024).toFixed(1)} KiB` : 'not built (npm run build:lambda)'];
  });
  return table(['handler bundle', 'index.js'], rows);
}
