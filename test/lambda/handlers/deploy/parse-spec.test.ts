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

test('a judged guard is refused unless the judge can read it: its kind of bad request, its objective and, when counted, both metrics per slot', () => {
  const base = spec();
  const metric = (over: object = {}) => ({ namespace: 'Fraud/Quality', metricName: 'ScoresOutOfRange', dimensions: [{ name: 'EndpointName', value: '{endpoint}' }, { name: 'VariantName', value: '{slot}' }], ...over });
  const counted = (over: object = {}) => ({ noun: 'scores out of range', totalNoun: 'items', bad: metric(), total: metric({ metricName: 'ScoresChecked' }), ...over });
  const judge = (over: object = {}) => ({ bad: 'counted', counted: counted(), objective: 0.01, margin: 0.005, minimumEffect: 1.5, ...over });
  const withJudge = (j: object) => JSON.stringify({ ...base, guards: [{ name: 'data-quality', blue: ['dq-blue'], green: ['dq-green'], judge: j }] });
  expect(parseSpec(withJudge(judge())).guards[0].judge).toEqual(judge());
  expect(parseSpec(withJudge(judge({ bad: 'slow', counted: undefined, slowThresholdMicros: 1_000_000 }))).guards[0].judge?.bad).toBe('slow');
  expect(() => parseSpec(withJudge(judge({ bad: 'wrong' })))).toThrow('Spec.guards[0].judge.bad must be one of errors, slow, counted, got "wrong"');
  expect(() => parseSpec(withJudge(judge({ objective: '0.01' })))).toThrow('Spec.guards[0].judge.objective must be a number in [0, 1), got "0.01"');
  expect(() => parseSpec(withJudge(judge({ bad: 'slow', counted: undefined })))).toThrow('Spec.guards[0].judge.slowThresholdMicros must be a number > 0 when bad is slow, got undefined');
  // Counted (input and data guards): without both metrics the judge would read no items and hold every step.
  expect(() => parseSpec(withJudge(judge({ counted: undefined })))).toThrow('Spec.guards[0].judge.counted must be the two count metrics when bad is counted, got undefined');
  expect(() => parseSpec(withJudge(judge({ counted: counted({ total: undefined }) })))).toThrow('Spec.guards[0].judge.counted.total must be a metric with a namespace, a name and dimensions, got undefined');
  expect(() => parseSpec(withJudge(judge({ counted: counted({ bad: metric({ dimensions: [{ name: 'EndpointName' }] }) }) }))))
    .toThrow('Spec.guards[0].judge.counted.bad must be a metric with a namespace, a name and dimensions');
  expect(() => parseSpec(withJudge(judge({ counted: counted({ noun: 3 }) })))).toThrow('Spec.guards[0].judge.counted.noun must be a string, got 3');
  // Without {slot} in a dimension both slots would read the same series: the candidate judged against itself.
  expect(() => parseSpec(withJudge(judge({ counted: counted({ total: metric({ dimensions: [{ name: 'EndpointName', value: '{endpoint}' }] }) }) }))))
    .toThrow('Spec.guards[0].judge.counted.total.dimensions must be dimensions with {slot} in a value (the slots told apart), got [{"name":"EndpointName","value":"{endpoint}"}]');
});
