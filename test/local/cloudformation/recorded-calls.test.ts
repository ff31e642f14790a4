import type { ResourceProvider } from '../../../local/cloudformation/providers/provider';
import { recordingSdkCalls, sdkCallService } from '../../../local/cloudformation/providers/recorded-calls';

const context = { stackName: 'wicked-prod', stackId: 'id', logicalId: 'ProtectLoadBalancer', resourceType: 'Custom::WickedDeletionProtection', account: '000000000000', region: 'us-east-1' };
const call = (service: string): string => JSON.stringify({ service, action: 'Act', parameters: {} });

describe('AwsCustomResource calls to services the local cloud only records', () => {
  it.each([
    [{ Create: call('ElasticLoadBalancingV2') }, 'ElasticLoadBalancingV2'],
    [{ Update: call('RDS') }, 'RDS'],
    [{ Create: call('DynamoDB') }, 'DynamoDB'],
    [{ Create: 'not json' }, undefined],
    [{ ServiceToken: 'arn' }, undefined],
  ])('names the service of %j', (properties, service) => {
    expect(sdkCallService(properties)).toBe(service);
  });

  it('records a call to a recorded service and runs every other custom resource through its function', async () => {
    const ran: string[] = [];
    const inner: ResourceProvider = {
      emulated: true,
      create: (properties) => { ran.push(`create ${sdkCallService(properties) ?? 'function'}`); return Promise.resolve({ physicalId: 'ran' }); },
      update: (properties) => { ran.push(`update ${sdkCallService(properties) ?? 'function'}`); return Promise.resolve({ physicalId: 'ran' }); },
      delete: (resource) => { ran.push(`delete ${sdkCallService(resource.properties) ?? 'function'}`); return Promise.resolve(); },
    };
    const provider = recordingSdkCalls(inner);
    const elb = { Create: call('ElasticLoadBalancingV2') };
    expect(await provider.create(elb, context)).toEqual({ physicalId: 'ProtectLoadBalancer-recorded' });
    expect(await provider.update!(elb, { physicalId: 'ProtectLoadBalancer-recorded', properties: elb, attributes: {} }, context)).toEqual({ physicalId: 'ProtectLoadBalancer-recorded' });
    await provider.delete({ physicalId: 'ProtectLoadBalancer-recorded', properties: elb, attributes: {} }, context);
    const ddb = { Create: call('DynamoDB') };
    expect(await provider.create(ddb, context)).toEqual({ physicalId: 'ran' });
    await provider.update!(ddb, { physicalId: 'ran', properties: ddb, attributes: {} }, context);
    await provider.delete({ physicalId: 'ran', properties: ddb, attributes: {} }, context);
    expect(await provider.create({ ServiceToken: 'arn' }, context)).toEqual({ physicalId: 'ran' });
    expect(ran).toEqual(['create DynamoDB', 'update DynamoDB', 'delete DynamoDB', 'create function']);
  });
});
