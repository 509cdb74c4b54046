import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { NextAction, RETRYABLE_ERRORS, TaskAction } from '../../lambda/core/contract';

/**
 * The rollout state machine (JSONPath). Every Task invokes the controller's step function with
 * `{ action, context, executionArn }` and replaces the state with the context it returns; a single Router
 * dispatches on `$.next`. The decisions live in the Lambda (and its pure core), so this file is only wiring.
 */
export function rolloutDefinition(scope: Construct, step: lambda.IFunction): sfn.DefinitionBody {
  const task = (id: string, action: TaskAction): tasks.LambdaInvoke => {
    const t = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: step,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        action,
        context: sfn.JsonPath.entirePayload,
        executionArn: sfn.JsonPath.executionId,
      }),
      comment: `step action ${action}`,
    });
    // SageMaker allows one mutation at a time and throttles its control plane, and a concurrent writer of the
    // endpoint's state makes a conditional write fail: back off and try again (every action re-reads first).
    t.addRetry({
      errors: [RETRYABLE_ERRORS.endpointBusy, RETRYABLE_ERRORS.throttled, RETRYABLE_ERRORS.stateConflict],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 8,
      maxDelay: Duration.seconds(60),
    });
    // Errors of the Lambda service, not of the step (the function did not run, or did not finish). LambdaInvoke's
    // default retry covers the four Step Functions recommends (ClientExecutionTimeoutException, ServiceException,
    // AWSLambdaException, SdkClientException: developer guide, "Handle Lambda service exceptions"); throttling
    // ("When Lambda hits the maximum number of invocations, the error is Lambda.TooManyRequestsException", same page)
    // must not fail a healthy rollout either: back off as long as the SageMaker retries do. A function that timed out
    // or ran out of memory is retried twice: Step Functions' guide names that Lambda.Unknown, current Lambda runtimes
    // report a timeout as Sandbox.Timedout (Lambda developer guide, "Troubleshoot invocation issues"); every action
    // re-reads first, so running it again is safe.
    // Ten minutes in all (2 s doubling to 60 s, 14 attempts): a spell of a few minutes (the fuzzer found six) must not
    // fail a task, least of all Release, whose failure leaves the lock held and CloudFormation unanswered.
    t.addRetry({
      errors: ['Lambda.TooManyRequestsException'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 14,
      maxDelay: Duration.seconds(60),
    });
    t.addRetry({ errors: ['Lambda.Unknown', 'Sandbox.Timedout'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 2 });
    return t;
  };
  const wait = (id: string, secondsPath: string) =>
    new sfn.Wait(scope, id, { time: sfn.WaitTime.secondsPath(secondsPath) });
  const nextIs = (value: NextAction) => sfn.Condition.stringEquals('$.next', value);

  const acquireLock = task('AcquireLock', 'acquireLock');
  const registerVersion = task('RegisterVersion', 'registerVersion');
  const provision = task('Provision', 'provision');
  const checkProvision = task('CheckProvision', 'checkProvision');
  const smokeTest = task('SmokeTest', 'smokeTest');
  const shiftTraffic = task('ShiftTraffic', 'shiftTraffic');
  const checkGuards = task('CheckGuards', 'checkGuards');
  const promote = task('Promote', 'promote');
  const rollback = task('Rollback', 'rollback');
  const failSafe = task('FailSafeRollback', 'rollback');
  const revert = task('Revert', 'revert');
  const retire = task('Retire', 'retire');
  const checkRetire = task('CheckRetire', 'checkRetire');
  const release = task('Release', 'release');
  // Release calendar: outside a window the rollout waits, holding the lock, before anything is provisioned.
  const checkCalendar = task('CheckCalendar', 'checkCalendar');
  const waitForWindow = new sfn.Wait(scope, 'WaitForReleaseWindow', { time: sfn.WaitTime.timestampPath('$.releaseWindowOpensAt') });

  const waitProvision = wait('WaitForProvisioning', '$.spec.plan.provisionPollSeconds');
  const waitCheck = wait('WaitCheckInterval', '$.spec.plan.checkIntervalSeconds');
  const waitRetire = wait('WaitForRetirement', '$.spec.plan.provisionPollSeconds');
  const waitRelease = wait('WaitBeforeRelease', '$.spec.plan.provisionPollSeconds');
  // Canary capacity: the candidate is being scaled before a shift; ShiftTraffic reads its instances back again.
  const waitCapacity = wait('WaitForCapacity', '$.spec.plan.provisionPollSeconds');

  const releaseFailed = new sfn.Fail(scope, 'ReleaseFailed', {
    error: 'ReleaseFailed',
    causePath: '$.error.Cause',
    comment: 'the lock could not be released; the endpoint state needs an operator',
  });
  // Traffic that cannot be returned to stable yet (a long throttling spell) is retried until it can: releasing the
  // endpoint with traffic on a failing candidate is never an option. The lock and the rolling-back phase stay.
  const waitBeforeRetryingRollback = new sfn.Wait(scope, 'WaitBeforeRetryingRollback', { time: sfn.WaitTime.duration(Duration.minutes(5)) });
  const failed = new sfn.Fail(scope, 'RolloutFailed', {
    error: 'RolloutFailed',
    causePath: '$.reason',
  });
  const ended = new sfn.Succeed(scope, 'RolloutEnded');

  const router = new sfn.Choice(scope, 'Route')
    .when(nextIs('provision-wait'), waitProvision)
    .when(nextIs('smoke-test'), smokeTest)
    .when(nextIs('shift'), shiftTraffic)
    .when(sfn.Condition.or(nextIs('bake'), nextIs('await-approval'), nextIs('watch')), waitCheck)
    .when(nextIs('promote'), promote)
    .when(nextIs('rollback'), rollback)
    .when(nextIs('revert'), revert)
    .when(nextIs('retire'), retire)
    .when(nextIs('retire-wait'), waitRetire)
    .when(nextIs('capacity-wait'), waitCapacity)
    .otherwise(release);

  // A revert SageMaker will not take yet (a throttling spell longer than the task's retries) is tried again until it
  // can, the state it was given unchanged: its decision is recorded, and the fail-safe (traffic to the stable, the
  // other slot retired) would keep the breached version and retire the standby. Added before the catch-all below.
  const transient = [RETRYABLE_ERRORS.endpointBusy, RETRYABLE_ERRORS.throttled, RETRYABLE_ERRORS.stateConflict, 'Lambda.TooManyRequestsException'];
  const waitBeforeRetryingRevert = new sfn.Wait(scope, 'WaitBeforeRetryingRevert', { time: sfn.WaitTime.duration(Duration.minutes(5)) });
  revert.addCatch(waitBeforeRetryingRevert, { errors: transient, resultPath: sfn.JsonPath.DISCARD });
  waitBeforeRetryingRevert.next(revert);
  // Any task that fails for good: fail safe to the LKG, then retire and release.
  const toFailSafe = { errors: [sfn.Errors.ALL], resultPath: '$.error' };
  for (const t of [checkCalendar, registerVersion, provision, checkProvision, smokeTest, shiftTraffic, checkGuards, promote, rollback, revert]) {
    t.addCatch(failSafe, toFailSafe);
  }
  // A rollout that could not take the lock changed nothing on the endpoint, and another rollout may own it: it must not
  // roll back nor retire (a second writer). Release frees the lock only if it is this rollout's, and the rollout fails.
  acquireLock.addCatch(release, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  // The fail-safe must not give up quickly, and never by releasing the endpoint with traffic still on the candidate.
  failSafe.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(10), backoffRate: 2, maxAttempts: 10, maxDelay: Duration.minutes(5) });
  failSafe.addCatch(waitBeforeRetryingRollback, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  waitBeforeRetryingRollback.next(failSafe);
  for (const t of [retire, checkRetire]) {
    t.addCatch(release, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  }
  // Release must not give up on a passing condition either (a long throttling spell, a busy endpoint, a concurrent
  // write): its failure leaves the lock held, the rollout without an outcome and a waiting deploy unanswered. It waits
  // and releases again, the state it was given unchanged (the error of a throttled call is no verdict on the rollout);
  // any other failure needs an operator.
  const waitBeforeRetryingRelease = new sfn.Wait(scope, 'WaitBeforeRetryingRelease', { time: sfn.WaitTime.duration(Duration.minutes(5)) });
  release.addCatch(waitBeforeRetryingRelease, { errors: transient, resultPath: sfn.JsonPath.DISCARD });
  waitBeforeRetryingRelease.next(release);
  release.addCatch(releaseFailed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

  acquireLock.next(new sfn.Choice(scope, 'LockAcquired?').when(nextIs('release'), release).otherwise(checkCalendar));
  checkCalendar.next(new sfn.Choice(scope, 'InsideReleaseWindow?')
    .when(nextIs('calendar-wait'), waitForWindow)
    .when(nextIs('release'), release)
    .otherwise(registerVersion));
  waitForWindow.next(checkCalendar);
  registerVersion.next(new sfn.Choice(scope, 'VersionRegistered?').when(nextIs('release'), release).otherwise(provision));
  for (const t of [provision, checkProvision, smokeTest, shiftTraffic, checkGuards, promote, rollback, failSafe, revert, retire, checkRetire]) {
    t.next(router);
  }
  waitProvision.next(checkProvision);
  waitCheck.next(checkGuards);
  waitRetire.next(checkRetire);
  waitRelease.next(release);
  waitCapacity.next(shiftTraffic);
  release.next(new sfn.Choice(scope, 'Outcome?')
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.next'), nextIs('release-wait')), waitRelease)
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.outcome'), sfn.Condition.stringEquals('$.outcome', 'failed')), failed)
    .otherwise(ended));

  // Executions started by the guard listener or an abort resume at the rollback/revert/retire phase.
  const start = new sfn.Choice(scope, 'Resume?')
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.next'), nextIs('rollback')), rollback)
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.next'), nextIs('revert')), revert)
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.next'), nextIs('retire')), retire)
    .otherwise(acquireLock);

  return sfn.DefinitionBody.fromChainable(start);
}
