import '../handlers/support/env';
import { DescribeEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { applyWeights } from '../../../lambda/aws/traffic';
import { FakeSageMaker } from '../handlers/support/fake-sagemaker';
import { ENDPOINT, STABLE_CONFIG, STABLE_ID, CANDIDATE_ID, variant } from '../handlers/support/fixtures';

const sagemaker = new FakeSageMaker();

beforeEach(() => {
  sagemaker.reset();
  sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
});

test('sets the weights of every variant and verifies them by reading back', async () => {
  const change = await applyWeights(ENDPOINT, { blue: 100, green: 0 });
  expect(change).toEqual({ changed: true, before: { blue: 90, green: 10 }, after: { blue: 100, green: 0 } });
  expect(sagemaker.mock).toHaveReceivedCommandWith(UpdateEndpointWeightsAndCapacitiesCommand, {
    EndpointName: ENDPOINT,
    DesiredWeightsAndCapacities: [
      { VariantName: 'blue', DesiredWeight: 100 },
      { VariantName: 'green', DesiredWeight: 0 },
    ],
  });
  expect(sagemaker.mock).toHaveReceivedCommandTimes(DescribeEndpointCommand, 2);
});

test('sends nothing when the endpoint already moves to these weights (same shares)', async () => {
  const change = await applyWeights(ENDPOINT, { blue: 9, green: 1 });
  expect(change.changed).toBe(false);
  expect(sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
});

test('throws WeightsNotApplied when the read back still differs from the intent after re-reading with back-off', async () => {
  // SageMaker accepted the call but reports the old weights (e.g. an autoscaling rollback in between).
  sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});
  const sleeps: number[] = [];
  await expect(applyWeights(ENDPOINT, { blue: 100, green: 0 }, { sleep: async (ms) => void sleeps.push(ms) })).rejects.toMatchObject({
    name: 'WeightsNotApplied',
    message: `endpoint ${ENDPOINT} reports weights blue 90, green 10 after we set blue 100, green 0`,
  });
  expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
  expect(sagemaker.mock).toHaveReceivedCommandTimes(DescribeEndpointCommand, 6);
});

test('a read back that lags (the old weights, twice) is read again, not declared WeightsNotApplied', async () => {
  // The first two reads after the update still answer what was true before it.
  const stale = sagemaker.describe(ENDPOINT);
  let updated = false;
  let staleReads = 2;
  sagemaker.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).callsFake((input) => {
    for (const d of input.DesiredWeightsAndCapacities) sagemaker.endpoint!.variants.set(d.VariantName, { current: d.DesiredWeight, desired: d.DesiredWeight });
    updated = true;
    return {};
  });
  sagemaker.mock.on(DescribeEndpointCommand).callsFake((input) => (updated && staleReads-- > 0 ? stale : sagemaker.describe(input.EndpointName)));
  const sleeps: number[] = [];
  const change = await applyWeights(ENDPOINT, { blue: 100, green: 0 }, { sleep: async (ms) => void sleeps.push(ms) });
  expect(change).toMatchObject({ changed: true, after: { blue: 100, green: 0 } });
  expect(sleeps).toEqual([1000, 2000]);
});

test('refuses to give traffic to a slot the endpoint does not run', async () => {
  sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  await expect(applyWeights(ENDPOINT, { blue: 90, green: 10 })).rejects.toThrow('cannot give traffic to slot(s) green');
  await expect(applyWeights(ENDPOINT, { blue: 100, green: 0 })).resolves.toMatchObject({ changed: false });
});

test('maps the in-progress answer to EndpointBusy', async () => {
  sagemaker.weightsLag = true;
  await applyWeights(ENDPOINT, { blue: 50, green: 50 });
  await expect(applyWeights(ENDPOINT, { blue: 100, green: 0 })).rejects.toMatchObject({ name: 'EndpointBusy' });
});
