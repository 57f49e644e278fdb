import {Banner, Button, Spinner} from '@stripe/ui-extension-sdk/ui';
import {getMockContextProps, render} from '@stripe/ui-extension-sdk/testing';

import App from './App';

const constants = {
  oauth: {
    client_id: 'client_1',
    authorization_endpoint: 'https://provider.example/oauth2/authorize',
    token_endpoint: 'https://provider.example/oauth2/token',
    provider_name: 'Provider Example',
    redirect_uris: {
      test: 'https://dashboard.stripe.com/test/apps-oauth/com.example.app',
      live: 'https://dashboard.stripe.com/apps-oauth/com.example.app',
    },
  },
};

/** The Dashboard, as far as this view reaches it: a state for the link, and a Secret Store holding nothing. */
const dashboard = {
  createOAuthState: jest.fn(async () => ({state: 'state 1', challenge: 'challenge+1'})),
  supportsFetchAppEmbeddedKey: async () => false,
  stripeApiFetch: jest.fn(async () => ({
    json: {error: {type: 'invalid_request_error', code: 'resource_missing', message: "No such secret: 'oauth_token'"}},
    headers: {'content-type': 'application/json'},
    ok: false,
    redirected: false,
    status: 404,
    statusText: 'Not Found',
    type: 'basic',
    url: '',
  })),
};

beforeAll(() => {
  (globalThis as {__StripeExtExports?: unknown}).__StripeExtExports = {endpoint: {call: dashboard}};
});

describe('the drawer view', () => {
  it('shows a spinner, then an Authorize button on an encoded link that names the provider', async () => {
    const props = getMockContextProps({
      environment: {mode: 'test', viewportID: 'stripe.dashboard.drawer.default', constants},
      appContext: {authorizedPermissions: ['secret_write']},
    });
    const {wrapper, update} = render(<App {...props} />);
    expect(wrapper.find(Spinner)).not.toBeNull();
    for (let tries = 0; tries < 50 && !wrapper.find(Button); tries++) {
      await update();
    }
    const authorize = wrapper.find(Button, {type: 'primary'});
    expect(authorize).not.toBeNull();
    expect(authorize?.text).toBe('Authorize at Provider Example');
    expect(authorize?.prop('target')).toBe('_blank');
    const link = new URL(authorize?.prop('href') as string);
    expect(link.searchParams.get('state')).toBe('state 1');
    expect(link.searchParams.get('code_challenge')).toBe('challenge+1');
    expect(wrapper.text).toMatch(/Opens Provider Example in a new tab/);
    expect(wrapper.find(Banner)?.prop('title')).toBe('Not connected yet');
    const [path] = dashboard.stripeApiFetch.mock.calls[0] as unknown as [string];
    expect(path).toMatch(/^\/v1\/apps\/secrets\/find\?/);
  });

  it('says what is missing when the manifest has no constants', async () => {
    const props = getMockContextProps({
      environment: {mode: 'test', viewportID: 'stripe.dashboard.drawer.default'},
      appContext: {authorizedPermissions: ['secret_write']},
    });
    const {wrapper, update} = render(<App {...props} />);
    await update();
    expect(wrapper.find(Banner)?.prop('title')).toBe('The app is not set up');
    expect(String(wrapper.find(Banner)?.prop('description'))).toMatch(/oauth.client_id/);
  });
});
