import { scenario } from './support';

describe('tags on everything the controller creates', () => {
  test('the endpoint, every config and every model carry the stack\'s and the endpoint\'s tags and their ownership tags', async () => {
    // support.scenario fails on any IAM denial: tagging on create is allowed with exactly these keys.
    const { run, summary } = await scenario('tags-on-everything');
    expect(summary.outcome).toBe('promoted');
    const created = [...run.createdTags!.entries()];
    const of = (kind: string) => created.filter(([arn]) => arn.includes(`:${kind}/`));
    expect(of('endpoint')).toHaveLength(1);
    expect(of('endpoint-config').length).toBeGreaterThanOrEqual(2);
    expect(of('model')).toHaveLength(2);
    // The endpoint's own tags win over the stack's on the same key (team).
    const common = { 'environment': 'prod', 'team': 'fraud', 'cost-center': 'ml-platform' };
    for (const [, tags] of [...of('endpoint-config'), ...of('model')]) {
      expect(tags).toEqual({ ...common, 'cdk-sagemaker-rollout:endpoint': 'sim-endpoint' });
    }
    expect(of('endpoint')[0][1]).toEqual({
      ...common,
      'cdk-sagemaker-rollout:stack-id': expect.stringMatching(/^arn:aws:cloudformation:/),
      'cdk-sagemaker-rollout:logical-id': expect.any(String),
    });
  });
});
