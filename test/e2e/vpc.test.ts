import * as path from 'node:path';
import { loadScenario } from '../../simulator/scenario';
import { synthScenario } from '../../simulator/scenario-app';
import { simulate } from '../../simulator/simulation';
import { summarize } from '../../simulator/summary';
import { scenario } from './support';

describe('an endpoint in a VPC', () => {
  test('every model gets the VPC\'s subnets, its security group and network isolation; every config the model options; promoted', async () => {
    // support.scenario fails on any IAM denial or broken invariant.
    const { run, summary } = await scenario('vpc-isolated-rollout');
    expect(summary.outcome).toBe('promoted');
    const creates = run.sageMakerCreates!;
    const models = creates.filter((c) => c.operation === 'CreateModel').map((c) => c.input);
    const configs = creates.filter((c) => c.operation === 'CreateEndpointConfig').map((c) => c.input);
    expect(models).toHaveLength(2);
    for (const model of models) {
      // Two isolated subnets and the endpoint's security group, as CloudFormation returns their ids.
      expect(model.VpcConfig.Subnets).toEqual([expect.stringMatching(/^subnet-[0-9a-f]{17}$/), expect.stringMatching(/^subnet-[0-9a-f]{17}$/)]);
      expect(new Set(model.VpcConfig.Subnets).size).toBe(2);
      expect(model.VpcConfig.SecurityGroupIds).toEqual([expect.stringMatching(/^sg-[0-9a-f]{17}$/)]);
      expect(model.EnableNetworkIsolation).toBe(true);
    }
    expect(models[0].VpcConfig).toEqual(models[1].VpcConfig);
    expect(configs.length).toBeGreaterThanOrEqual(2);
    for (const config of configs) {
      // The stable's variant is copied from the live config, so every variant keeps the options.
      for (const variant of config.ProductionVariants) {
        expect(variant).toMatchObject({ VolumeSizeInGB: 64, ModelDataDownloadTimeoutInSeconds: 900, ContainerStartupHealthCheckTimeoutInSeconds: 600 });
      }
      expect(config.MetricsConfig).toEqual({ EnableDetailedObservability: false });
    }
  });
});

/** The scenario with `ec2:CreateNetworkInterface` taken from every policy of the deploys of `versions`. */
function withoutNetworkGrant(versions: string[]) {
  const file = loadScenario(path.join(__dirname, '..', '..', 'scenarios', 'vpc-isolated-rollout.json'));
  return simulate(file, undefined, (version, attempt, where) => {
    const synthesized = synthScenario(file, version, attempt, where);
    if (!versions.includes(version)) return synthesized;
    for (const resource of Object.values(synthesized.template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      for (const statement of resource.Properties!.PolicyDocument.Statement) {
        if (Array.isArray(statement.Action)) statement.Action = statement.Action.filter((a: string) => a !== 'ec2:CreateNetworkInterface');
      }
    }
    return synthesized;
  });
}

describe('a VPC model whose role cannot attach network interfaces', () => {
  test('a rollout to it fails safe: SageMaker reverts the update with the reason, the stable keeps serving', async () => {
    const run = await withoutNetworkGrant(['v2']);
    const summary = summarize(run);
    expect(summary.outcome).not.toBe('promoted');
    expect(summary.invariants.filter((i) => !i.holds)).toEqual([]);
    expect(run.history.map((h) => `${h.decision}: ${h.reason}`).join('\n')).toMatch(/not authorized to perform ec2:CreateNetworkInterface/);
    expect(run.traffic.filter((t) => t.version === 'v2' && t.requests > 0)).toEqual([]);
  });

  test('the twin fails its fleet with the missing EC2 action: the create fails with the reason, nothing serves', async () => {
    // The construct grants the model role the EC2 actions; take one away, as a role brought without them would be.
    const run = await withoutNetworkGrant(['v1', 'v2']);
    const summary = summarize(run);
    expect(summary.outcome).not.toBe('promoted');
    expect(summary.invariants.filter((i) => !i.holds)).toEqual([]);
    const failed = run.cfnResponses.find((r) => r.requestType === 'Create');
    expect(failed).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/not authorized to perform ec2:CreateNetworkInterface/) });
    expect(run.traffic.filter((t) => t.requests > 0 && t.version !== undefined && t.failed < t.requests)).toEqual([]);
  });
});
