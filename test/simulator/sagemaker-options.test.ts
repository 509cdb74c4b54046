import { SageMakerTwin } from '../../simulator/twin/sagemaker';

/** The twin refuses model options as SageMaker's API reference bounds them (VpcConfig, ProductionVariant, MetricsConfig). */
function twin() {
  const sm = new SageMakerTwin({ createSeconds: 60, updateSeconds: 60, weightsSeconds: 1, deleteSeconds: 1 });
  return sm.operations();
}
const ROLE = 'arn:aws:iam::123456789012:role/model';
const model = (extra: Record<string, unknown>) => ({ ModelName: 'm', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'image' }, ...extra });
const VPC = { Subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0a1b2c3d4e5f60719'], SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'] };

describe('CreateModel VpcConfig and EnableNetworkIsolation', () => {
  test('a well-formed config is kept and described back', () => {
    const ops = twin();
    ops.CreateModel(model({ VpcConfig: VPC, EnableNetworkIsolation: true }));
    expect(ops.DescribeModel({ ModelName: 'm' })).toMatchObject({ VpcConfig: VPC, EnableNetworkIsolation: true });
  });

  test.each([
    ['no subnets', { ...VPC, Subnets: [] }, /vpcConfig.subnets.*greater than or equal to 1/],
    ['17 subnets', { ...VPC, Subnets: Array.from({ length: 17 }, (_, i) => `subnet-${i}`) }, /less than or equal to 16/],
    ['no security groups', { Subnets: VPC.Subnets }, /vpcConfig.securityGroupIds/],
    ['6 security groups', { ...VPC, SecurityGroupIds: ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5', 'sg-6'] }, /less than or equal to 5/],
    ['an unresolved token', { ...VPC, Subnets: ['${Token[TOKEN.12]}'] }, /regular expression pattern/],
    ['an id over 32 characters', { ...VPC, SecurityGroupIds: ['sim-stack-EndpointSecurityGroup12345678.GroupId'] }, /regular expression pattern/],
  ])('%s is refused', (_what, vpc, message) => {
    expect(() => twin().CreateModel(model({ VpcConfig: vpc }))).toThrow(message);
  });

  test('EnableNetworkIsolation must be a Boolean', () => {
    expect(() => twin().CreateModel(model({ EnableNetworkIsolation: 'true' }))).toThrow(/enableNetworkIsolation/);
  });
});

describe('CreateEndpointConfig model options', () => {
  const config = (variant: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    EndpointConfigName: 'c',
    ProductionVariants: [{ VariantName: 'blue', ModelName: 'm', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, ...variant }],
    ...extra,
  });

  test('values at the bounds are accepted and described back', () => {
    const ops = twin();
    ops.CreateModel(model({}));
    ops.CreateEndpointConfig(config({ VolumeSizeInGB: 512, ModelDataDownloadTimeoutInSeconds: 60, ContainerStartupHealthCheckTimeoutInSeconds: 3600 }));
    expect(ops.DescribeEndpointConfig({ EndpointConfigName: 'c' })).toMatchObject({
      ProductionVariants: [{ VolumeSizeInGB: 512, ModelDataDownloadTimeoutInSeconds: 60, ContainerStartupHealthCheckTimeoutInSeconds: 3600 }],
    });
  });

  test.each([
    ['VolumeSizeInGB', 0], ['VolumeSizeInGB', 513], ['VolumeSizeInGB', 1.5],
    ['ModelDataDownloadTimeoutInSeconds', 59], ['ModelDataDownloadTimeoutInSeconds', 3601],
    ['ContainerStartupHealthCheckTimeoutInSeconds', 30], ['ContainerStartupHealthCheckTimeoutInSeconds', 7200],
  ])('%s %p is refused', (field, value) => {
    const ops = twin();
    ops.CreateModel(model({}));
    expect(() => ops.CreateEndpointConfig(config({ [field]: value }))).toThrow(new RegExp(`productionVariants.1.member.${field[0].toLowerCase()}${field.slice(1)}`));
  });

  test('detailed observability is on unless the config turns it off (the default for configs created since June 2026)', () => {
    const ops = twin();
    ops.CreateModel(model({}));
    ops.CreateEndpointConfig(config({}));
    expect(ops.DescribeEndpointConfig({ EndpointConfigName: 'c' })).toMatchObject({ MetricsConfig: { EnableDetailedObservability: true } });
    ops.CreateEndpointConfig({ ...config({}), EndpointConfigName: 'off', MetricsConfig: { EnableDetailedObservability: false } });
    expect(ops.DescribeEndpointConfig({ EndpointConfigName: 'off' })).toMatchObject({ MetricsConfig: { EnableDetailedObservability: false } });
  });

  test('a publish frequency SageMaker does not offer is refused', () => {
    const ops = twin();
    ops.CreateModel(model({}));
    expect(() => ops.CreateEndpointConfig(config({}, { MetricsConfig: { MetricPublishFrequencyInSeconds: 15 } }))).toThrow(/enum value set/);
  });
});
