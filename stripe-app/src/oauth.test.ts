import {
  CodeGuard,
  GRANT_SECRET_WRITE,
  OAuthError,
  authorizationUrl,
  codeExchangeBody,
  isExpired,
  loggedOut,
  parseSavedToken,
  readConfig,
  refreshBody,
  requestToken,
  revocationBody,
  secretExpiry,
  sessionFrom,
  tokenFromResponse,
  type Host,
  type OAuthConfig,
} from './oauth';

const config: OAuthConfig = {
  clientId: 'client+id/=&#',
  authorizationEndpoint: 'https://provider.example/oauth2/authorize',
  tokenEndpoint: 'https://provider.example/oauth2/token',
  revocationEndpoint: 'https://provider.example/oauth2/revoke',
  scope: 'files.read account.read',
  redirectUris: {
    test: 'https://dashboard.stripe.com/test/apps-oauth/com.example.app',
    live: 'https://dashboard.stripe.com/apps-oauth/com.example.app',
  },
};

// The characters a template string breaks: `+` turns into a space, `&` and `#` end the value.
const TRICKY = 'a+b/c=d&e#f';

describe('the authorization link', () => {
  const link = new URL(authorizationUrl(config, 'test', {state: TRICKY, challenge: `${TRICKY}2`}));

  it('carries every value exactly, after a round trip through URL parsing', () => {
    expect(link.searchParams.get('state')).toBe(TRICKY);
    expect(link.searchParams.get('code_challenge')).toBe(`${TRICKY}2`);
    expect(link.searchParams.get('client_id')).toBe(config.clientId);
    expect(link.hash).toBe('');
  });

  it('percent-encodes what would break the query', () => {
    expect(link.search).toContain('state=a%2Bb%2Fc%3Dd%26e%23f');
  });

  it('asks for a code with an S256 challenge, for the redirect URL of the mode', () => {
    expect(link.searchParams.get('response_type')).toBe('code');
    expect(link.searchParams.get('code_challenge_method')).toBe('S256');
    expect(link.searchParams.get('redirect_uri')).toBe(config.redirectUris.test);
    expect(link.searchParams.get('scope')).toBe('files.read account.read');
    const live = new URL(authorizationUrl(config, 'live', {state: 's', challenge: 'c'}));
    expect(live.searchParams.get('redirect_uri')).toBe(config.redirectUris.live);
  });

  it('keeps a query the endpoint already has', () => {
    const withTenant = {...config, authorizationEndpoint: 'https://provider.example/authorize?tenant=t1'};
    const url = new URL(authorizationUrl(withTenant, 'test', {state: 's', challenge: 'c'}));
    expect(url.searchParams.get('tenant')).toBe('t1');
    expect(url.searchParams.get('state')).toBe('s');
  });
});

describe('the token requests', () => {
  it('sends the code exchange as a form body, every value exact', () => {
    const body = codeExchangeBody(config, 'live', TRICKY, 'verifier-~._');
    const parsed = new URLSearchParams(body.toString());
    expect(Object.fromEntries(parsed)).toEqual({
      grant_type: 'authorization_code',
      code: TRICKY,
      redirect_uri: config.redirectUris.live,
      client_id: config.clientId,
      code_verifier: 'verifier-~._',
    });
    expect(body.toString()).toContain('code=a%2Bb%2Fc%3Dd%26e%23f');
  });

  it('refreshes and revokes with form bodies too', () => {
    expect(Object.fromEntries(refreshBody(config, 'r+1'))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r+1',
      client_id: config.clientId,
    });
    const token = tokenFromResponse({access_token: 'a', token_type: 'Bearer', refresh_token: 'r'}, 0);
    expect(revocationBody(config, token).get('token_type_hint')).toBe('refresh_token');
    expect(revocationBody(config, {...token, refresh_token: null}).get('token')).toBe('a');
  });

  it('POSTs to the endpoint with no query string, and reads a refusal', async () => {
    const calls: {url: string; body: string}[] = [];
    const host = {
      fetch: async (url: string, init: {body: URLSearchParams}) => {
        calls.push({url, body: init.body.toString()});
        return {ok: false, status: 400, json: async () => ({error: 'invalid_grant', error_description: 'used'})};
      },
      now: () => 0,
    } as unknown as Host;
    const refusal = requestToken(host, config.tokenEndpoint, codeExchangeBody(config, 'test', 'c', 'v'));
    await expect(refusal).rejects.toEqual(new OAuthError('invalid_grant', 'used', 400));
    expect(calls[0].url).toBe(config.tokenEndpoint);
    expect(calls[0].body).toContain('code_verifier=v');
  });
});

describe('expiry', () => {
  const now = 1_800_000_000;
  const response = {
    access_token: 'a',
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: 'r',
    refresh_token_expires_in: 30 * 86400,
  };

  it('turns expires_in into an absolute time', () => {
    const token = tokenFromResponse(response, now);
    expect(token.expires_at).toBe(now + 3600);
    expect(token.refresh_expires_at).toBe(now + 30 * 86400);
  });

  it('counts a token as expired a little before its expiry, and one without expiry never', () => {
    const token = tokenFromResponse(response, now);
    expect(isExpired(token, now + 3600 - 31)).toBe(false);
    expect(isExpired(token, now + 3600 - 30)).toBe(true);
    expect(isExpired({...token, expires_at: null}, now + 10 ** 9)).toBe(false);
  });

  it('lets the secret live as long as the refresh token, or else the access token', () => {
    const token = tokenFromResponse(response, now);
    expect(secretExpiry(token)).toBe(now + 30 * 86400);
    expect(secretExpiry({...token, refresh_token: null})).toBe(now + 3600);
    expect(secretExpiry({...token, refresh_expires_at: null})).toBeUndefined();
  });

  it('saves and reads back the same token', () => {
    const token = tokenFromResponse(response, now);
    expect(parseSavedToken(JSON.stringify(token))).toEqual(token);
  });

  it('refuses a response without an access token', () => {
    expect(() => tokenFromResponse({token_type: 'Bearer'}, now)).toThrow(OAuthError);
  });
});

describe('the configuration and the session', () => {
  const constants = {
    oauth: {
      client_id: 'c',
      authorization_endpoint: 'https://p/authorize',
      token_endpoint: 'https://p/token',
      redirect_uris: {test: 'https://d/test/apps-oauth/x', live: 'https://d/apps-oauth/x'},
    },
  };

  it('reads constants.oauth', () => {
    expect(readConfig(constants)).toMatchObject({clientId: 'c', revocationEndpoint: null, scope: null});
  });

  it('names what is missing', () => {
    expect(() => readConfig({oauth: {client_id: 'c'}})).toThrow(/oauth.token_endpoint.*redirect_uris.live/);
    expect(() => readConfig(undefined)).toThrow(/oauth.client_id/);
  });

  it('shows the grant command without secret_write', () => {
    const view = sessionFrom({
      userContext: {id: 'usr_1'},
      environment: {mode: 'test', constants},
      appContext: {authorizedPermissions: []},
    });
    expect(view).toMatchObject({status: 'needs_permission', command: GRANT_SECRET_WRITE});
  });

  it('needs a user id for the user scope', () => {
    expect(sessionFrom({userContext: {}, environment: {mode: 'test', constants}})).toMatchObject({status: 'broken'});
  });
});

describe('CodeGuard', () => {
  it('runs one exchange per code, and lets a second run wait for it', async () => {
    const guard = new CodeGuard();
    let exchanges = 0;
    let finish: () => void = () => undefined;
    const exchange = () => {
      exchanges += 1;
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    };
    const first = guard.claim('code', exchange);
    expect(guard.claim('code', exchange)).toBeUndefined();
    let waited = false;
    const second = guard.settled('code').then(() => {
      waited = true;
    });
    await Promise.resolve();
    expect(waited).toBe(false);
    finish();
    await Promise.all([first, second]);
    expect(waited).toBe(true);
    expect(exchanges).toBe(1);
    expect(guard.claim('another code', async () => undefined)).toBeDefined();
  });
});

describe('log out', () => {
  it('says the grant was revoked only when the provider has a revocation endpoint', () => {
    expect(loggedOut(config)).toEqual({tone: 'info', text: 'Logged out: the token is deleted and revoked.'});
    const without = loggedOut({...config, revocationEndpoint: null});
    expect(without.tone).toBe('critical');
    expect(without.text).toMatch(/stays live there until it expires/);
    expect(without.text).not.toMatch(/revoked/);
  });
});
