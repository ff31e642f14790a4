import { singletonEnvironment } from '../../../infra/constructs/singleton-services';

const portalApiUrl = 'http://portal-api.wicked-prod.internal:3001/';

describe('singletonEnvironment', () => {
  it.each<[string, boolean, Record<string, string>]>([
    ['portal-api', true, { NODE_ENV: 'prod', PGSSLMODE: 'require', PORTAL_STORAGE_PGDATABASE: 'wicked' }],
    ['portal-api', false, { NODE_ENV: 'prod' }],
    ['portal', true, { NODE_ENV: 'prod', PORTAL_API_URL: portalApiUrl }],
    ['portal-kong-adapter', true, { NODE_ENV: 'prod', PORTAL_API_URL: portalApiUrl }],
    ['portal-mailer', false, { NODE_ENV: 'prod', PORTAL_API_URL: portalApiUrl }],
    ['portal-chatbot', true, { NODE_ENV: 'prod', PORTAL_API_URL: portalApiUrl }],
    ['portal-auth', true, { NODE_ENV: 'prod', PORTAL_API_URL: portalApiUrl }],
  ])('%s (postgres: %s)', (component, postgres, expected) => {
    expect(singletonEnvironment(component, 'prod', { portalApiUrl, postgres })).toEqual(expected);
  });
});
