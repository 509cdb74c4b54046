/**
 * The message of the structured log line the controller's Lambdas write for every recorded decision (lambda/aws/history.ts),
 * with the fields endpointName, rolloutId, decision, reason, actor: what the dashboard's Logs Insights widgets filter on.
 * lib/ imports it, so it stays free of runtime dependencies.
 */
export const DECISION_LOG_MESSAGE = 'decision recorded';
