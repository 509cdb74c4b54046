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

// Found by the Spec fuzzer (test/fuzz/spec.test.ts): these reached the handler and failed inside it with a TypeError.
test('refuses hand-edited guards, versions and plans naming the field', () => {
  const base = spec();
  expect(() => parseSpec(JSON.stringify({ ...base, guards: [{ name: 'errors', green: ['a'] }] }))).toThrow('Spec.guards[0].blue must be an array of alarm names, got undefined');
  expect(() => parseSpec(JSON.stringify({ ...base, version: { ...base.version, image: null } }))).toThrow('Spec.version.image or modelPackageArn must be one image URI or one model package ARN');
  expect(() => parseSpec(JSON.stringify({ ...base, plan: { ...base.plan, steps: [{ percent: 10, bakeSeconds: 60, minInvocations: 1, deadlineSeconds: 600 }] } })))
    .toThrow('Spec.plan.steps must be steps ending at 100%, got [10]');
  expect(() => parseSpec(JSON.stringify({ ...base, plan: { ...base.plan, checkIntervalSeconds: undefined } }))).toThrow('Spec.plan.checkIntervalSeconds must be an integer >= 0');
});

test('a shadow step is accepted only first, at 0%, with a mirror share in (0, 100]', () => {
  const base = spec();
  const step = (over: object) => ({ percent: 0, mirrorPercent: 50, bakeSeconds: 600, minInvocations: 1, deadlineSeconds: 1800, ...over });
  const withSteps = (steps: object[]) => JSON.stringify({ ...base, plan: { ...base.plan, steps: [...steps, ...base.plan.steps] } });
  expect(parseSpec(withSteps([step({})])).plan.steps[0]).toEqual(step({}));
  expect(() => parseSpec(withSteps([step({ mirrorPercent: 0 })]))).toThrow(/Spec.plan.steps\[0\] must be a shadow step: the first, at percent 0, with mirrorPercent in \(0, 100\], got .*"mirrorPercent":0/);
  expect(() => parseSpec(withSteps([step({ percent: 5 })]))).toThrow(/Spec.plan.steps\[0\] must be a shadow step/);
  expect(() => parseSpec(withSteps([{ percent: 1, bakeSeconds: 60, minInvocations: 1, deadlineSeconds: 600 }, step({})]))).toThrow(/Spec.plan.steps\[1\] must be a shadow step/);
  expect(() => parseSpec(withSteps([null as unknown as object]))).toThrow('Spec.plan.steps[0] must be a step, got null');
});
