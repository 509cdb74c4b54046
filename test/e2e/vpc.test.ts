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
