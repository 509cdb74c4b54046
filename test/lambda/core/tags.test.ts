import { ENDPOINT_TAG, resourceTags } from '../../../lambda/core';

describe('resourceTags', () => {
  test('every Model and EndpointConfig carries the spec\'s tags and the endpoint it was made for', () => {
    expect(resourceTags({ endpointName: 'fraud', tags: { team: 'risk', costCentre: '42' } })).toEqual([
      { Key: 'team', Value: 'risk' },
      { Key: 'costCentre', Value: '42' },
      { Key: 'cdk-sagemaker-rollout:endpoint', Value: 'fraud' },
    ]);
  });

  test('without tags of its own, only the ownership tag', () => {
    expect(resourceTags({ endpointName: 'fraud' })).toEqual([{ Key: ENDPOINT_TAG, Value: 'fraud' }]);
  });

  test('a user tag cannot pretend the resource belongs to another endpoint: the ownership tag is the controller\'s', () => {
    expect(resourceTags({ endpointName: 'fraud', tags: { [ENDPOINT_TAG]: 'payments', team: 'risk' } })).toEqual([
      { Key: 'team', Value: 'risk' },
      { Key: ENDPOINT_TAG, Value: 'fraud' },
    ]);
  });
});
