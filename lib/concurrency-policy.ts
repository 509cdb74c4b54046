/** What happens when a new rollout is requested while one is still running on the same endpoint. */
export enum ConcurrencyPolicy {
  /** Roll the running candidate back, then start the new rollout (the latest declared version wins). */
  SUPERSEDE = 'supersede',
  /** Refuse the new rollout; the running one continues. */
  REJECT = 'reject',
}
