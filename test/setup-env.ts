// Quiet, deterministic Powertools and SDK output in tests; handlers log normally in Lambda.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_SERVICE_NAME ??= 'test';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'test';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
// aws-cdk-lib's built-in CloudFormation validation initializes a rule engine (about 9 s of CPU) in every test file that
// synthesizes, and only prints its findings unless `@aws-cdk/core:validateAgainstDefaultRules` is on:
// test/infra/cloudformation-validate.test.ts runs it once, with that flag, on every stack of the app.
process.env.CDK_VALIDATION ??= 'false';
