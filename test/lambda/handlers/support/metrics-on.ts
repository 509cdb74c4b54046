/** Imported right after ./env by the tests that read the controller's EMF lines: Powertools Metrics reads it when it loads. */
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
