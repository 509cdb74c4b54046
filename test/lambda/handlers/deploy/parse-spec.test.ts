import { parseSpec } from '../../../../lambda/handlers/deploy/parse-spec';
import { spec } from '../support/fixtures';

test('parses the JSON string; numbers stay numbers', () => {
  const parsed = parseSpec(JSON.stringify(spec()));
  expect(parsed).toEqual(spec());
  expect(typeof parsed.plan.steps[0].percent).toBe('number');
});

test('names the field, the value received and where it comes from', () => {
  expect(() => parseSpec({ endpointName: 'x' })).toThrow('ResourceProperties.Spec must be the EndpointSpec as a JSON string, got object');
  expect(() => parseSpec('{"endpointName":')).toThrow('ResourceProperties.Spec is not valid JSON');
  expect(() => parseSpec(JSON.stringify(spec({ endpointName: 'bad_name' })))).toThrow('Spec.endpointName must be a SageMaker name, got "bad_name"');
  // CloudFormation turns numbers in plain properties into strings: inside Spec they must stay numbers.
  expect(() => parseSpec(JSON.stringify({ ...spec(), rolloutAttempt: '1' }))).toThrow('Spec.rolloutAttempt must be an integer >= 0, got "1"');
});
