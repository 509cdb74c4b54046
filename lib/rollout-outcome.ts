/** How a rollout ended: the `Outcome` dimension of the controller's `Rollouts` metric. */
export class RolloutOutcome {
  /** The candidate served 100% with guards green and became the stable version. */
  public static readonly PROMOTED = new RolloutOutcome('promoted');
  /** A guard, the judge, an approver or an operator found the candidate bad: traffic back on the LKG (or the standby). */
  public static readonly ROLLED_BACK = new RolloutOutcome('rolled-back');
  /** A step ran out of time (no data, traffic, evidence or approval): traffic back on the LKG, no verdict on the model. */
  public static readonly INCONCLUSIVE = new RolloutOutcome('inconclusive');
  /** Stopped without a verdict (an operator's abort, or superseded by a newer deploy). */
  public static readonly ABORTED = new RolloutOutcome('aborted');
  /** A task failed for good (traffic was returned to stable first). */
  public static readonly FAILED = new RolloutOutcome('failed');

  /** An outcome by its recorded name (the `Outcome` dimension value). */
  public static of(value: string): RolloutOutcome {
    return new RolloutOutcome(value);
  }

  private constructor(
    /** The dimension value, as recorded in the rollout's history. */
    public readonly value: string,
  ) {}
}
