import { Match, Template } from 'aws-cdk-lib/assertions';
import { BlueGreenEndpoint, ModelVersion } from '../../lib';
import { ecrVersion, specOf, testStack } from './fixtures';

const PACKAGE = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud-models/3';

describe('Model Registry trigger (modelPackageGroupName)', () => {
  test('the group reaches the spec; one rule routes its approvals to the guard listener; the step function may describe and reject its packages only', () => {
    const stack = testStack();
    const ep = new BlueGreenEndpoint(stack, 'Endpoint', { endpointName: 'fraud', modelVersion: ModelVersion.fromModelPackage(PACKAGE), modelPackageGroupName: 'fraud-models' });
    new BlueGreenEndpoint(stack, 'Second', { endpointName: 'fraud-eu', modelVersion: ModelVersion.fromModelPackage(PACKAGE), modelPackageGroupName: 'fraud-models' });
    expect(specOf(ep).registry).toEqual({ modelPackageGroupName: 'fraud-models' });
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'detail-type': ['SageMaker Model Package State Change'] }) }, 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        'detail': { ModelPackageGroupName: ['fraud-models'], ModelApprovalStatus: ['Approved'] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SageMakerRolloutControllerGuardListener'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^SageMakerRolloutControllerStepServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:model-package/fraud-models/*']] },
      })]) },
    });
  });

  test('without the prop: no rule, no registry permissions, no registry in the spec', () => {
    const stack = testStack();
    const ep = new BlueGreenEndpoint(stack, 'Endpoint', { endpointName: 'fraud', modelVersion: ModelVersion.fromModelPackage(PACKAGE) });
    expect(specOf(ep).registry).toBeUndefined();
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('UpdateModelPackage');
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('Model Package State Change');
  });

  test('misuse fails at synth naming the prop, the value and the fix', () => {
    const stack = testStack();
    expect(() => new BlueGreenEndpoint(stack, 'Image', { endpointName: 'a', modelVersion: ecrVersion(stack), modelPackageGroupName: 'fraud-models' }))
      .toThrow(/modelPackageGroupName 'fraud-models' needs modelVersion to be a package of that group: use ModelVersion.fromModelPackage/);
    expect(() => new BlueGreenEndpoint(stack, 'Other', { endpointName: 'b', modelVersion: ModelVersion.fromModelPackage(PACKAGE), modelPackageGroupName: 'churn' }))
      .toThrow(/modelVersion's package '.*fraud-models\/3' is not in group 'churn'/);
    expect(() => new BlueGreenEndpoint(stack, 'Bad', { endpointName: 'c', modelVersion: ModelVersion.fromModelPackage(PACKAGE), modelPackageGroupName: 'fraud_models' }))
      .toThrow(/modelPackageGroupName must be a model package group name .* got 'fraud_models'/);
  });
});
