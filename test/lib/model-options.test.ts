import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { BlueGreenEndpoint, BlueGreenEndpointProps } from '../../lib';
import { ecrVersion, specOf, testStack } from './fixtures';

function endpoint(props: Partial<BlueGreenEndpointProps> = {}, stack: Stack = testStack()): BlueGreenEndpoint {
  return new BlueGreenEndpoint(stack, 'Endpoint', { modelVersion: ecrVersion(stack), endpointName: 'fraud', ...props });
}

describe('model options', () => {
  test('volume size and both timeouts go into the version, detailed observability into the spec', () => {
    const spec = specOf(endpoint({
      volumeSize: Size.gibibytes(100),
      modelDataDownloadTimeout: Duration.minutes(20),
      containerStartupHealthCheckTimeout: Duration.minutes(10),
      detailedObservability: true,
    }));
    expect(spec.version).toMatchObject({ volumeSizeInGb: 100, modelDataDownloadTimeoutSeconds: 1200, containerStartupHealthCheckTimeoutSeconds: 600 });
    expect(spec.detailedObservability).toBe(true);
  });

  test('unset, none of them is in the spec (the version id of an existing endpoint does not change) and observability is off', () => {
    const spec = specOf(endpoint());
    expect(spec.version).not.toHaveProperty('volumeSizeInGb');
    expect(spec.version).not.toHaveProperty('modelDataDownloadTimeoutSeconds');
    expect(spec.version).not.toHaveProperty('containerStartupHealthCheckTimeoutSeconds');
    expect(spec.detailedObservability).toBeUndefined();
  });

  test.each([
    [{ volumeSize: Size.gibibytes(0) }, /volumeSize must be a whole number of GiB from 1 to 512.*got 0 GiB/],
    [{ volumeSize: Size.gibibytes(513) }, /got 513 GiB/],
    [{ volumeSize: Size.mebibytes(1536) }, /got 1.5 GiB/],
    [{ modelDataDownloadTimeout: Duration.seconds(59) }, /modelDataDownloadTimeout must be from 60 to 3600 seconds.*got 59 seconds/],
    [{ modelDataDownloadTimeout: Duration.hours(2) }, /modelDataDownloadTimeout must be from 60 to 3600/],
    [{ containerStartupHealthCheckTimeout: Duration.seconds(30) }, /containerStartupHealthCheckTimeout must be from 60 to 3600/],
    [{ containerStartupHealthCheckTimeout: Duration.millis(60500) }, /whole number of seconds/],
  ])('%p is refused with the range and an example', (props, message) => {
    expect(() => endpoint(props as Partial<BlueGreenEndpointProps>)).toThrow(message);
  });

  test('warns when SageMaker may take longer to start a slot than the rollout waits for it', () => {
    const ep = endpoint({
      provisionTimeout: Duration.minutes(30),
      modelDataDownloadTimeout: Duration.minutes(20),
      containerStartupHealthCheckTimeout: Duration.minutes(20),
    });
    Annotations.fromStack(Stack.of(ep)).hasWarning('*', Match.stringLikeRegexp('allow SageMaker 2400s to start a slot, more than provisionTimeout \\(1800s\\)'));
  });

  test('warns about a volume size on an instance type with local NVMe storage', () => {
    const ep = endpoint({ volumeSize: Size.gibibytes(50), instanceType: 'ml.g5.2xlarge' });
    Annotations.fromStack(Stack.of(ep)).hasWarning('*', Match.stringLikeRegexp('ml.g5.2xlarge looks like one with local NVMe storage.*volumeSize'));
    const plain = endpoint({ volumeSize: Size.gibibytes(50), instanceType: 'ml.m5.xlarge' });
    expect(Annotations.fromStack(Stack.of(plain)).findWarning('*', Match.stringLikeRegexp('volumeSize'))).toHaveLength(0);
  });

  test('changing an option changes the version (a rollout), like the image does', () => {
    const a = specOf(endpoint({ volumeSize: Size.gibibytes(50) }));
    const b = specOf(endpoint({ volumeSize: Size.gibibytes(60) }));
    expect(a.version).not.toEqual(b.version);
  });
});
