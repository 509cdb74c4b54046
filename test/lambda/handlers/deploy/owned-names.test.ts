import { endpointConfigName, modelName } from '../../../../lambda/core';
import { commonPrefix, ownedNames } from '../../../../lambda/handlers/deploy/owned-names';

const versions = [{ versionId: 'mv-0c0e4910a68c' }, { versionId: 'mv-954d42782b98' }];
const rollouts = [{ rolloutId: 'r000000001-aaaaaa' }];

test('derives every model and config name the controller can have made for the endpoint', () => {
  const owned = ownedNames('fraud', versions, rollouts);
  expect([...owned.models].sort()).toEqual(
    [modelName('fraud', 'mv-0c0e4910a68c', 'blue'), modelName('fraud', 'mv-0c0e4910a68c', 'green'), modelName('fraud', 'mv-954d42782b98', 'blue'), modelName('fraud', 'mv-954d42782b98', 'green')].sort(),
  );
  expect([...owned.configs]).toEqual([
    endpointConfigName('fraud', 'r000000001-aaaaaa', ['blue']),
    endpointConfigName('fraud', 'r000000001-aaaaaa', ['green']),
    endpointConfigName('fraud', 'r000000001-aaaaaa', ['blue', 'green']),
  ]);
});

test('long endpoint names are shortened in resource names, and the derived names follow', () => {
  const long = 'a'.repeat(60);
  const [name] = ownedNames(long, versions.slice(0, 1), []).models;
  expect(name.length).toBeLessThanOrEqual(63);
  expect(name.startsWith(long)).toBe(false);
});

test('commonPrefix', () => {
  expect(commonPrefix(['fraud-r1-blue', 'fraud-r1-green', 'fraud-r2-blue'])).toBe('fraud-r');
  expect(commonPrefix(['only'])).toBe('only');
  expect(commonPrefix([])).toBe('');
});
