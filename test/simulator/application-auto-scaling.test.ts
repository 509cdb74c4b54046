import { ApplicationAutoScalingTwin } from '../../simulator/twin/application-auto-scaling';
import { SageMakerTwin } from '../../simulator/twin/sagemaker';

/** SageMaker and Application Auto Scaling twins wired as ServiceTwin wires them, on jest's fake clock. */
function twins() {
  const behaviour = { createSeconds: 60, updateSeconds: 60, weightsSeconds: 10, deleteSeconds: 10 } as ConstructorParameters<typeof SageMakerTwin>[0];
  const sagemaker = new SageMakerTwin(behaviour);
  const scaling = new ApplicationAutoScalingTwin((e, v) => sagemaker.endpoints.get(e)?.variants.some((x) => x.name === v) ?? false);
  behaviour.scalableVariants = (e) => scaling.registeredVariants(e);
  behaviour.endpointDeleted = (e) => scaling.endpointDeleted(e);
  const sm = sagemaker.operations();
  const aas = scaling.operations();
  sm.CreateModel({ ModelName: 'm1', ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r', PrimaryContainer: { Image: 'i' } });
  sm.CreateModel({ ModelName: 'm2', ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r', PrimaryContainer: { Image: 'i' } });
  const config = (name: string, variants: Array<[string, string, string]>) => sm.CreateEndpointConfig({
    EndpointConfigName: name, ProductionVariants: variants.map(([VariantName, ModelName, InstanceType]) => ({ VariantName, ModelName, InstanceType, InitialInstanceCount: 1, InitialVariantWeight: 1 })),
  });
  config('one', [['blue', 'm1', 'ml.m5.large']]);
  sm.CreateEndpoint({ EndpointName: 'ep', EndpointConfigName: 'one' });
  jest.advanceTimersByTime(61_000);
  const target = { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/ep/variant/blue', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' };
  return { sm, aas, config, target, scaling };
}

describe('Application Auto Scaling twin and SageMaker updates ("Update endpoints that use auto scaling")', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('an update that removes a registered variant, or changes its instance type, is refused; changing its model is allowed', () => {
    const { sm, aas, config, target } = twins();
    aas.RegisterScalableTarget({ ...target, MinCapacity: 1, MaxCapacity: 4 });
    config('removes-blue', [['green', 'm2', 'ml.m5.large']]);
    config('other-type', [['blue', 'm1', 'ml.c5.large']]);
    config('new-model', [['blue', 'm2', 'ml.m5.large'], ['green', 'm2', 'ml.m5.large']]);
    expect(() => sm.UpdateEndpoint({ EndpointName: 'ep', EndpointConfigName: 'removes-blue' })).toThrow(/variant\(s\) \[blue\] of endpoint ep are registered with Application Auto Scaling/);
    expect(() => sm.UpdateEndpoint({ EndpointName: 'ep', EndpointConfigName: 'other-type' })).toThrow(/registered with Application Auto Scaling/);
    expect(() => sm.UpdateEndpoint({ EndpointName: 'ep', EndpointConfigName: 'new-model' })).not.toThrow();
    jest.advanceTimersByTime(61_000);
    // Deregistered, the variant may go.
    aas.DeregisterScalableTarget(target);
    expect(() => sm.UpdateEndpoint({ EndpointName: 'ep', EndpointConfigName: 'removes-blue' })).not.toThrow();
  });

  test('register creates or updates (suspension kept unless given); policies need a target; deregister drops them; missing ones are ObjectNotFound', () => {
    const { aas, target, scaling } = twins();
    expect(() => aas.PutScalingPolicy({ ...target, PolicyName: 'p', PolicyType: 'TargetTrackingScaling' })).toThrow(/No scalable target registered/);
    expect(() => aas.RegisterScalableTarget(target)).toThrow(/MinCapacity and MaxCapacity are required/);
    aas.RegisterScalableTarget({ ...target, MinCapacity: 1, MaxCapacity: 4, SuspendedState: { DynamicScalingInSuspended: true } });
    aas.RegisterScalableTarget({ ...target, MaxCapacity: 6 });
    expect(scaling.targets.get(target.ResourceId)).toMatchObject({ MinCapacity: 1, MaxCapacity: 6, SuspendedState: { DynamicScalingInSuspended: true } });
    aas.PutScalingPolicy({ ...target, PolicyName: 'p', PolicyType: 'TargetTrackingScaling' });
    aas.DeregisterScalableTarget(target);
    expect(scaling.policies.size).toBe(0);
    expect(() => aas.DeregisterScalableTarget(target)).toThrow(expect.objectContaining({ name: 'ObjectNotFoundException' }));
    expect(() => aas.RegisterScalableTarget({ ...target, ResourceId: 'endpoint/ep/variant/green', MinCapacity: 1, MaxCapacity: 2 })).toThrow(/does not exist/);
  });

  test('deleting the endpoint deregisters its variants', () => {
    const { sm, aas, target, scaling } = twins();
    aas.RegisterScalableTarget({ ...target, MinCapacity: 1, MaxCapacity: 4 });
    sm.DeleteEndpoint({ EndpointName: 'ep' });
    jest.advanceTimersByTime(11_000);
    expect(scaling.registeredVariants('ep')).toEqual([]);
  });
});
