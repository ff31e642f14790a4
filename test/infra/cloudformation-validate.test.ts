import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { createWickedApp } from '../../infra/create-app';
import { FIXTURE_ENTRY, testApp } from './helpers';

// The test setup switches aws-cdk-lib's built-in CloudFormation validation off (CDK_VALIDATION=false): its rule engine
// costs about 9 s of CPU in every test file that synthesizes, and without `@aws-cdk/core:validateAgainstDefaultRules`
// its findings are only printed. Here it runs once, on every stack of the app as cdk.json configures it, with that flag
// on, so a finding that would fail a deployment fails this test.
process.env.CDK_VALIDATION = 'true';
afterAll(() => { process.env.CDK_VALIDATION = 'false'; });

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')) as { context: Record<string, unknown> & { wicked: Record<string, Record<string, unknown>> } };

describe("aws-cdk-lib's CloudFormation validation (@aws/cloudformation-validate rules) on the app's stacks", () => {
  it('finds nothing that would fail a deployment in any environment of cdk.json', () => {
    const environments = Object.fromEntries(Object.entries(cdkJson.context.wicked).map(([env, props]) => [env, { ...props, functionEntries: { buildImage: FIXTURE_ENTRY } }]));
    const app = testApp({ wicked: environments, 'wicked-registry-cache': cdkJson.context['wicked-registry-cache'], '@aws-cdk/core:validateAgainstDefaultRules': true });
    const stacks = createWickedApp(app);
    expect(stacks.map((stack) => stack.stackName).sort()).toEqual(Object.keys(environments).map((env) => expect.stringContaining(env)).sort());
    // Synthesis runs the validation; an error finding throws here, naming the rule and the resource.
    for (const stack of stacks) expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {}).length).toBeGreaterThan(0);
  });
});
