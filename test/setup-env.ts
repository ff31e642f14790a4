// Quiet, deterministic Powertools and SDK output in tests; handlers log normally in Lambda.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_SERVICE_NAME ??= 'test';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'test';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
