import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, SageMakerClient, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { describeEndpoint } from '../../lambda/aws/endpoint-readback';
import { DEFAULT_CALIBRATION } from '../../simulator/calibration';
import { PROBE_MODEL, onTwin } from '../../simulator/probe-twin';

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const NEW_DIGEST = `sha256:${'b'.repeat(64)}`;

/**
 * DescribeEndpoint's DeployedImages (SpecifiedImage, ResolvedImage, ResolutionTime; DeployedImage API reference): every
 * new fleet resolves its image again, and UpdateEndpoint brings up a new fleet for unchanged variants too. An image
 * named by tag therefore follows the tag at every update; one pinned by digest (what the controller registers) cannot.
 */
describe('DeployedImages in the twin', () => {
  test('a tag resolves again on every new fleet; a digest stays; the controller reads the resolved digest', async () => {
    const seen = await onTwin(DEFAULT_CALIBRATION, 1, {}, async (twin) => {
      const sagemaker = new SageMakerClient({});
      const pinned = twin.artifacts.resolve(PROBE_MODEL.image)!;
      for (const [name, image] of [['by-tag', PROBE_MODEL.image], ['by-digest', pinned]]) {
        await sagemaker.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: PROBE_MODEL.executionRoleArn, PrimaryContainer: { Image: image, ModelDataUrl: PROBE_MODEL.modelDataUrl } }));
      }
      await sagemaker.send(new CreateEndpointConfigCommand({
        EndpointConfigName: 'cfg', ProductionVariants: ['by-tag', 'by-digest'].map((m) => ({ VariantName: m, ModelName: m, InstanceType: 'ml.c5.large', InitialInstanceCount: 1 })),
      }));
      await sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'cfg' }));
      await sleep(DEFAULT_CALIBRATION.createSeconds + 1);
      const before = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'ep' }));
      // The tag is pushed again with another image; then an update with the same config brings up a new fleet.
      twin.artifacts.images[0].digest = NEW_DIGEST;
      await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'cfg' }));
      await sleep(DEFAULT_CALIBRATION.updateSeconds + 1);
      const after = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'ep' }));
      return { pinned, before, after, view: await describeEndpoint('ep') };
    });
    const image = (d: typeof seen.before, variant: string) => d.ProductionVariants!.find((v) => v.VariantName === variant)!.DeployedImages![0];
    expect(image(seen.before, 'by-tag')).toMatchObject({ SpecifiedImage: PROBE_MODEL.image, ResolvedImage: seen.pinned });
    expect(image(seen.after, 'by-tag')).toMatchObject({ SpecifiedImage: PROBE_MODEL.image, ResolvedImage: seen.pinned.replace(/sha256:.*/, NEW_DIGEST) });
    expect(image(seen.after, 'by-digest')).toMatchObject({ SpecifiedImage: seen.pinned, ResolvedImage: seen.pinned });
    expect(image(seen.after, 'by-digest').ResolutionTime!.getTime()).toBeGreaterThan(image(seen.before, 'by-digest').ResolutionTime!.getTime());
    expect(seen.view.variants.map((v) => v.resolvedImage)).toEqual([seen.pinned.replace(/sha256:.*/, NEW_DIGEST), seen.pinned]);
  });
});
