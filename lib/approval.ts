import { Duration } from 'aws-cdk-lib';
import { RolloutStepConfig } from './rollout-strategy';
import { requiredWholeSeconds } from './private/validation';

/** What happens when nobody decides before the approval times out. */
export enum ApprovalTimeoutAction {
  /** Roll the candidate back (the safe default: no decision is not a yes). */
  ROLLBACK = 'rollback',
  /** Continue the rollout as if approved. */
  PROMOTE = 'promote',
}

/** Options of a required approval. */
export interface ApprovalOptions {
  /** How long the gate waits for a decision. Guards keep being checked while it waits. */
  readonly timeout: Duration;

  /**
   * What happens when the timeout passes without a decision.
   *
   * @default ApprovalTimeoutAction.ROLLBACK
   */
  readonly onTimeout?: ApprovalTimeoutAction;

  /**
   * The gate opens before the step with this traffic share is entered; it must be one of the strategy's steps
   * other than the first.
   *
   * @default - the 100% step: a person approves before the candidate takes all traffic
   */
  readonly beforeStepPercent?: number;
}

/** What `Approval.bind()` returns (the controller's `ApprovalPlan`). */
export interface ApprovalConfig {
  /** Index of the step that the gate precedes. */
  readonly beforeStep: number;
  readonly timeoutSeconds: number;
  readonly onTimeout: ApprovalTimeoutAction;
}

/**
 * A human gate in the rollout. When the gate opens, the endpoint's notification topic is told; an operator
 * approves or rejects with the CLI, which records who decided. The gate is polled at the check interval, so guards
 * keep watching the candidate while it waits.
 */
export class Approval {
  /** Require a decision before the given step (by default before 100%). */
  public static required(options: ApprovalOptions): Approval {
    const timeoutSeconds = requiredWholeSeconds(options.timeout, 'approval timeout');
    if (timeoutSeconds < 1) {
      throw new Error(`approval timeout must be at least 1 second, got ${options.timeout.toHumanString()}: e.g. Duration.hours(4)`);
    }
    return new Approval(options, timeoutSeconds);
  }

  private constructor(private readonly options: ApprovalOptions, private readonly timeoutSeconds: number) {}

  /** Places the gate in the strategy's steps. */
  public bind(steps: RolloutStepConfig[]): ApprovalConfig {
    const percents = steps.map((step) => step.percent);
    const beforeStepPercent = this.options.beforeStepPercent ?? 100;
    const beforeStep = percents.indexOf(beforeStepPercent);
    if (beforeStep < 0) {
      throw new Error(`approval beforeStepPercent must be one of the strategy's steps [${percents.join(', ')}], got ${beforeStepPercent}: `
        + 'pick one of those percentages');
    }
    if (beforeStep === 0) {
      throw new Error(`approval cannot gate the first step (${beforeStepPercent}%), which starts right after the smoke test: `
        + `gate a later step, one of [${percents.slice(1).join(', ')}]`);
    }
    return {
      beforeStep,
      timeoutSeconds: this.timeoutSeconds,
      onTimeout: this.options.onTimeout ?? ApprovalTimeoutAction.ROLLBACK,
    };
  }
}
