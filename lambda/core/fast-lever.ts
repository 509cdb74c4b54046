/**
 * How long the fast lever (the guard listener's weight flip, also used by the deploy provider and the operator
 * commands) keeps trying before it hands over to the state machine's retries. It must outlast a weight update already
 * in progress (`Cannot update in-progress endpoint` until it ends) and a short throttling spell. AWS documents no
 * duration for UpdateEndpointWeightsAndCapacities (the probe measures it: `weightsSeconds`; the twin assumes 10 s unless a
 * scenario says otherwise): two minutes covers it with margin.
 */
export const FAST_LEVER_BUDGET_MS = 120_000;

/** The guard listener's Lambda timeout: the budget, plus stopping the rollout, recording and starting the cleanup. */
export const GUARD_LISTENER_TIMEOUT_SECONDS = 180;
