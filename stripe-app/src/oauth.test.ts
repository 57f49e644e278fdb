import {
  CodeGuard,
  FetchRefused,
  GRANT_SECRET_WRITE,
  REMEMBERED_CODES,
  callApi,
  newGuards,
  openApp,
  saveToken,
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
  SECRET_EXPIRY_MARGIN,
  secretExpiry,
  sessionFrom,
  tokenFromResponse,
  type Host,
  type Session,
} from './oauth';
import {config, fakeHost} from './testing/fakes';

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

  it('lets the secret live a day longer than the refresh token, or else the access token', () => {
    const token = tokenFromResponse(response, now);
    expect(secretExpiry(token, now)).toBe(now + 30 * 86400 + SECRET_EXPIRY_MARGIN);
    expect(secretExpiry({...token, refresh_token: null}, now)).toBe(now + 3600 + SECRET_EXPIRY_MARGIN);
    expect(secretExpiry({...token, refresh_expires_at: null}, now)).toBeUndefined();
  });

  it('never asks for a secret expiry in the past, however short the token or slow the clock', () => {
    const brief = tokenFromResponse({access_token: 'a', token_type: 'Bearer', expires_in: 5}, now);
    // The Secret Store's clock may be hours ahead of the browser's: a day's margin still lies ahead.
    expect(secretExpiry(brief, now)).toBeGreaterThan(now + 3 * 3600);
    expect(secretExpiry(brief, now + 10 ** 6)).toBe(now + 10 ** 6 + SECRET_EXPIRY_MARGIN);
  });

  it('reads an expires_in sent as a string of digits, and ignores one that is not a number', () => {
    expect(tokenFromResponse({...response, expires_in: '3600'}, now).expires_at).toBe(now + 3600);
    expect(tokenFromResponse({...response, expires_in: 'soon'}, now).expires_at).toBeNull();
    expect(tokenFromResponse({...response, expires_in: -5}, now).expires_at).toBeNull();
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

  it('shows the grant command without secret_write, to a developer only', () => {
    const context = {
      userContext: {id: 'usr_1'},
      environment: {mode: 'test' as const, constants},
      appContext: {authorizedPermissions: []},
    };
    expect(sessionFrom(context, true)).toMatchObject({status: 'needs_permission', command: GRANT_SECRET_WRITE});
    const forUsers = sessionFrom(context, false);
    expect(forUsers).toMatchObject({status: 'needs_permission', command: null});
    expect(JSON.stringify(forUsers)).not.toMatch(/stripe apps/);
  });

  it('names the provider by provider_name, else by the host of its authorization endpoint', () => {
    expect(readConfig(constants).providerName).toBe('p');
    expect(readConfig({oauth: {...constants.oauth, provider_name: 'Dropbox'}}).providerName).toBe('Dropbox');
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

  it('forgets the oldest codes beyond REMEMBERED_CODES', async () => {
    const guard = new CodeGuard();
    for (let i = 0; i <= REMEMBERED_CODES; i++) {
      await guard.claim(`code${i}`, async () => undefined);
    }
    expect(guard.claim(`code${REMEMBERED_CODES}`, async () => undefined)).toBeUndefined();
    expect(guard.claim('code0', async () => undefined)).toBeDefined(); // forgotten
  });
});

describe('the flow against a provider that rotates refresh tokens', () => {
  const now = 1_800_000_000;
  const session: Session = {config, mode: 'test', userId: 'usr_1', development: false};

  /** A signed-in user: a token from the provider, saved. */
  async function signedIn(at: number = now) {
    const world = fakeHost(() => at);
    const token = tokenFromResponse(world.provider.issue(), at - 7200); // issued two hours ago: expired
    await saveToken(world.host.secrets, session.userId, token, at);
    return {...world, token};
  }

  it('deletes an unreadable saved secret and exchanges the new code instead of failing on it', async () => {
    const {host, provider, secrets} = fakeHost();
    await host.secrets.create({scope: {type: 'user', user: 'usr_1'}, name: 'oauth_token', payload: '{not json'});
    const view = await openApp(host, session, {code: 'c1', verifier: 'v'}, newGuards());
    expect(view).toMatchObject({status: 'signed_in', account: {name: 'Ada'}});
    expect(provider.count('authorization_code')).toBe(1);
    expect(JSON.parse(secrets.saved.get('usr_1/oauth_token')?.payload ?? '')).toMatchObject({access_token: 'at1'});
  });

  it('refreshes once for two views opened together on an expired token', async () => {
    const {host, provider, token} = await signedIn();
    const guards = newGuards();
    const [one, two] = await Promise.all([openApp(host, session, {}, guards), openApp(host, session, {}, guards)]);
    expect(provider.count('refresh_token')).toBe(1);
    expect(one).toMatchObject({status: 'signed_in'});
    expect(two).toMatchObject({status: 'signed_in'});
    expect(provider.refreshTokens.has(token.refresh_token as string)).toBe(false);
  });

  it('takes the pair another tab saved when its own refresh is refused, and keeps the secret', async () => {
    const {host, provider, secrets} = await signedIn();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Two tabs: each its own guards (a tab's lock does not reach another); the first holds its answer.
    let first = true;
    provider.gate = async () => {
      if (first) {
        first = false;
        await held;
      }
    };
    const tabOne = openApp(host, session, {}, newGuards());
    await new Promise((resolve) => setTimeout(resolve, 0));
    provider.gate = async () => undefined;
    const tabTwo = openApp(host, session, {}, newGuards()); // refreshes first, saves the rotated pair
    await expect(tabTwo).resolves.toMatchObject({status: 'signed_in'});
    release(); // tab one's request reaches the provider only now: its refresh token was spent by tab two
    const views = [await tabOne];
    expect(views[0].status).toBe('signed_in');
    expect(secrets.saved.has('usr_1/oauth_token')).toBe(true);
  });

  it('deletes the secret only when the refused refresh token is still the saved one', async () => {
    const {host, provider, secrets, token} = await signedIn();
    provider.refreshTokens.delete(token.refresh_token as string); // revoked at the provider
    const view = await openApp(host, session, {}, newGuards());
    expect(view).toMatchObject({status: 'signed_out', notice: {title: 'Signed out'}});
    expect(secrets.saved.size).toBe(0);
  });

  it('calls the API with a valid token: refreshes on a 401 and tries again, once', async () => {
    const {host, provider} = await signedIn();
    const guards = newGuards();
    expect(await openApp(host, session, {}, guards)).toMatchObject({status: 'signed_in'});
    provider.accessTokens.clear(); // the provider forgot every access token: the next call gets a 401
    expect(await callApi(host, session, guards, config.apiEndpoint as string)).toEqual({name: 'Ada', email: 'ada@example.com'});
    const apiCalls = provider.requests.filter((r) => r.url === config.apiEndpoint);
    expect(apiCalls.slice(-2).map((r) => r.authorization)).toEqual(['Bearer at2', 'Bearer at3']);
  });

  it('ends the sign-in when the API refuses a freshly refreshed token too', async () => {
    const {host, provider, secrets} = await signedIn();
    const original = provider.fetch;
    host.fetch = async (url, init) => (url === config.apiEndpoint ? {ok: false, status: 401, json: async () => ({})} : original(url, init));
    await expect(callApi(host, session, newGuards(), config.apiEndpoint as string)).rejects.toThrow(/401/);
    expect(secrets.saved.size).toBe(0);
  });

  it('says where to look when the browser refuses a request', async () => {
    const {host} = fakeHost();
    const view = await openApp(host, {...session, config: {...config, tokenEndpoint: 'https://elsewhere.example/token'}}, {code: 'c', verifier: 'v'}, newGuards());
    expect(view).toMatchObject({status: 'signed_out', notice: {tone: 'critical'}});
    const text = (view as {notice: {text: string}}).notice.text;
    expect(text).toMatch(/refused the request to https:\/\/elsewhere.example\/token/);
    expect(text).toMatch(/Access-Control-Allow-Origin: null/);
    expect(text).toMatch(/connect-src/);
    expect(new FetchRefused('u', 'Failed to fetch').name).toBe('FetchRefused');
  });
});

describe('log out', () => {
  it('says the grant was revoked only when the provider has a revocation endpoint', () => {
    expect(loggedOut(config)).toEqual({tone: 'info', title: 'Logged out', text: 'The token is deleted and revoked.'});
    const without = loggedOut({...config, revocationEndpoint: null});
    expect(without.tone).toBe('critical');
    expect(without.title).toBe('Logged out, not revoked');
    expect(without.text).toMatch(/stays live there until it expires/);
    expect(without.text).not.toMatch(/revoked/);
  });
});
