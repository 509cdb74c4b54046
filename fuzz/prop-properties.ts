import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stateMachineDefinitions, validateAsl } from '../test/support/asl';
import { EndpointRecipe } from './prop-arbitraries';
import { CdkRefusal, buildEndpoint } from './prop-builder';

/** How one prop set ended: synthesized and checked, refused by the library with a clear error, or a finding. */
export interface PropVerdict {
  readonly outcome: 'synthesized' | 'refused' | 'cdk-refused';
  /** The library's error message (refused), for the report's list of distinct errors. */
  readonly message?: string;
  /** What is wrong: an unclear error, a crash from inside the library, or a template failing the project's checks. */
  readonly failure?: string;
}

/** The words a clear error names its prop by: every prop and option of the constructs, as the messages spell them. */
export const PROP_WORDS = [
  'modelVersion', 'endpointName', 'endpoint name', 'role', 'instanceType', 'instance type', 'instanceCount', 'serverless', 'strategy', 'steps', 'step', 'stepPercent',
  'bake', 'checkInterval', 'minInvocations', 'stepDeadline', 'finalBake', 'guard', 'guards', 'threshold', 'thresholdPercent', 'alarmThresholdPercent',
  'percentile', 'alarmThreshold', 'period', 'evaluationPeriods', 'datapointsToAlarm', 'marginPercent', 'minimumEffect', 'maxIncreasePercent',
  'namespace', 'metricName', 'statistic', 'dimensionsMap', 'metricFactory', 'approval', 'timeout', 'beforeStepPercent', 'notificationTopic',
  'encryptionKey', 'dataCaptureBucket', 'dataCapturePrefix', 'dataCaptureSamplingPercent', 'fastMetrics', 'falseRollbackPercent',
  'advanceErrorPercent', 'revertWindow', 'concurrencyPolicy', 'smokeTestPayloads', 'smokeTestContentType', 'smokeTestExpectBodyContains',
  'rolloutAttempt', 'autoUndo', 'undoModelData', 'waitForRollout', 'removalPolicy', 'tags', 'tag', 'provisionTimeout', 'volumeSize',
  'modelDataDownloadTimeout', 'containerStartupHealthCheckTimeout', 'detailedObservability', 'vpc', 'vpcSubnets', 'securityGroups',
  'enableNetworkIsolation', 'drillSchedule', 'scaleCandidateWithTraffic', 'autoScaling', 'minCapacity', 'maxCapacity',
  'targetInvocationsPerInstance', 'customMetric', 'customMetricTarget', 'scaleInCooldown', 'scaleOutCooldown', 'image', 'imageUri', 'image URI',
  'tagOrDigest', 'modelData', 'model data', 'sha256', 'environment', 'model package', 'modelPackageArn', 'S3 URI', 'logRetention', 'tableRemovalPolicy',
  'stateMachineLogLevel', 'logsEncryptionKey', 'name',
];
/** How a clear error says what to do: a fix after the colon ("use ...", "pass ...", "e.g. ..."). */
const FIX = /(:|;)\s.*(\be\.g\.|\b(use|pass|give|set|raise|lower|remove|drop|keep|round|choose|rename|shorten|add|split|declare|deploy|move|put|make|reduce|increase|list|either|only|at most|at least|one of|must|should|allow|grant|enable|turn|omit|leave|wait|place|lengthen|widen|narrow|scale|compute|copy|check|specify|provide|create|import|attach|configure|fix|ask|select|apply|write|quote|escape|swap)\b)/i;
const CRASHES = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError];

/** Whether an error thrown by the library is clear: a plain Error naming a prop and saying what to do. */
export function judgeError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return `threw a non-Error: ${String(error)}`;
  if (CRASHES.some((kind) => error instanceof kind)) return `crashed inside the library with ${error.name}: ${error.message}\n${error.stack?.split('\n').slice(1, 4).join('\n')}`;
  const message = error.message;
  const named = PROP_WORDS.some((w) => new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(message));
  if (!named) return `an error naming no prop: ${message}`;
  if (!FIX.test(message)) return `an error that says no fix: ${message}`;
  return undefined;
}

export interface PropCheckOptions {
  /** Run cdk-nag's AwsSolutionsChecks on a synthesized template (about half a second more per synth). */
  readonly nag: boolean;
}

/**
 * Builds and synthesizes one prop set. It holds when synth either succeeds with a template that passes the project's
 * own checks (CloudFormation's schemas as errors, asl-validator on the state machine, cdk-nag AwsSolutionsChecks when
 * asked) or fails with a clear error from the library.
 */
export function checkProps(recipe: EndpointRecipe, options: PropCheckOptions): PropVerdict {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-props-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
    if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'FuzzStack', { env: { account: '123456789012', region: 'us-east-1' } });
    try {
      buildEndpoint(stack, recipe);
    } catch (error) {
      if (error instanceof CdkRefusal) return { outcome: 'cdk-refused', message: error.message };
      const failure = judgeError(error);
      return failure ? { outcome: 'refused', failure } : { outcome: 'refused', message: (error as Error).message };
    }
    let template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
    try {
      template = app.synth().getStackByName('FuzzStack').template;
    } catch (error) {
      // Validations the constructs add (node.addValidation) report at synth; a template CloudFormation's schemas or
      // cdk-nag reject is a finding: the library passed on something it should have refused with a clear error.
      const message = (error as Error).message;
      if (/Validation failed with the following errors/.test(message) && !/cdk-nag|AwsSolutions|validate-against|CloudFormation schema|\[.*validation\]/i.test(message)) {
        const inner = message.split('\n').filter((l) => l.trim().startsWith('[')).map((l) => l.replace(/^\s*\[[^\]]*\]\s*/, '')).join(' ');
        const failure = judgeError(new Error(inner || message));
        return failure ? { outcome: 'refused', failure } : { outcome: 'refused', message: inner };
      }
      const reportFile = path.join(outdir, 'validation-report.json');
      const report = fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8').slice(0, 1500) : '';
      return { outcome: 'synthesized', failure: `synth failed on the library's template: ${message.slice(0, 1500)} ${report}` };
    }
    for (const [id, definition] of Object.entries(stateMachineDefinitions(template))) {
      const result = validateAsl(definition);
      if (!result.isValid) return { outcome: 'synthesized', failure: `state machine ${id} fails asl-validator: ${result.errorsText('; ')}` };
    }
    return { outcome: 'synthesized' };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
