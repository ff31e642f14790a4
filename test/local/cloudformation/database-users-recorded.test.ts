import { providerRegistry, type EmulatorLinks, type ProviderContext, type ResourceProvider } from '../../../local/cloudformation/providers';

// The stack's database users are recorded, not run: their function would log in to the RDS instance, which
// the emulator only records. The custom-resource runtime (the override) must not be asked for them.
describe('Custom::WickedDatabaseUsers in the local CloudFormation', () => {
  const runtime: ResourceProvider = { emulated: true, create: jest.fn(), delete: jest.fn() };
  const lambda: ResourceProvider = { emulated: true, create: jest.fn(), delete: jest.fn() };
  const registry = providerRegistry({} as EmulatorLinks, { 'AWS::CloudFormation::CustomResource': runtime, 'AWS::Lambda::Function': lambda });
  const context = { logicalId: 'Users', stackName: 'wicked-dev', account: '000000000000', region: 'us-east-1' } as unknown as ProviderContext;

  it('is recorded with the physical id the handler answers, without invoking anything', async () => {
    const provider = registry('Custom::WickedDatabaseUsers');
    expect(provider.emulated).toBe(false);
    await expect(provider.create({ ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:x', Users: [] }, context)).resolves.toEqual({ physicalId: 'wicked-database-users' });
    expect(runtime.create).not.toHaveBeenCalled();
  });

  it("accepts the function's VpcConfig (the VPC is recorded too)", async () => {
    expect(registry('AWS::Lambda::Function').understood?.has('VpcConfig')).toBe(true);
    // Other custom resources still run through their Lambda.
    const properties = { ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:counts' };
    await registry('Custom::WickedSingletonCounts').create(properties, context);
    expect(runtime.create).toHaveBeenCalledWith(properties, context);
  });
});
