/**
 * The app's PKCE OAuth flow, apart from its view: what Stripe's page "Add authorization
 * flows" asks for, done right.
 *
 * - the authorization link is built with URLSearchParams, so every value is percent-encoded
 *   (the page glues raw values into a template string);
 * - the token request sends its parameters in a form-encoded body (RFC 6749 §4.1.3), not in
 *   the query string of a POST as the page does;
 * - expiries are kept as absolute Unix times: a relative `expires_in` means nothing once saved;
 * - each code is exchanged once, however often the Dashboard hands the same `oauthContext`
 *   (stripe/stripe-apps#649);
 * - the token lives in the Secret Store in the user's scope, found again with
 *   `expand: ['payload']`; an expired access token is refreshed (one refresh per user at a time)
 *   and the rotated pair saved over the old secret; log out deletes the secret, then revokes the
 *   grant (RFC 7009);
 * - every fetch the app makes leaves its iframe with `Origin: null`: the provider must answer
 *   CORS for it, and `connect-src` must list the URL (see `describe`).
 *
 * Everything the flow reaches (fetch, the Secret Store, createOAuthState, the clock) comes in
 * as a `Host`, so the same functions run in the Dashboard and against the kit's sandbox.
 */

export type Mode = 'test' | 'live';

/** Where the token is kept, in the user's scope of the Secret Store. */
export const TOKEN_SECRET_NAME = 'oauth_token';
export const SECRET_WRITE = 'secret_write';
export const GRANT_SECRET_WRITE =
  'stripe apps grant permission "secret_write" "Allows storing secrets between page reloads"';
/** Seconds before its expiry that a token already counts as expired: clock skew, and the next request's time. */
export const EXPIRY_LEEWAY = 30;
/**
 * How much longer than the token the secret lives. Its expiry is computed on the browser's clock,
 * and the Secret Store refuses one in the past: a day's margin keeps a short-lived token from
 * being refused on a clock that is behind (a secret outliving its token by a day is harmless).
 */
export const SECRET_EXPIRY_MARGIN = 86_400;

// ---------------------------------------------------------------------------------------------
// Configuration: the provider the app was registered with, from the manifest's `constants`

/**
 * The provider's endpoints and the app's registration there. The kit writes them into
 * `stripe-app.json` under `constants.oauth` (helpers/stripe_app.py), and the Dashboard passes
 * the manifest's constants to the view as `environment.constants`.
 */
export interface OAuthConfig {
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint: string | null;
  scope: string | null;
  /** The provider's protected API the app calls with the token (not part of RFC 8414). */
  apiEndpoint: string | null;
  /** What the view calls the provider: `provider_name`, else the authorization endpoint's host. */
  providerName: string;
  /** Both URLs registered with the provider: the Dashboard's landing in each mode. */
  redirectUris: Record<Mode, string>;
}

export class ConfigError extends Error {
  name = 'ConfigError';
}

/** Read `constants.oauth`; throw a ConfigError naming what is missing. */
export function readConfig(constants: unknown): OAuthConfig {
  const oauth = field(constants, 'oauth');
  const redirects = field(oauth, 'redirect_uris');
  const required = {
    client_id: field(oauth, 'client_id'),
    authorization_endpoint: field(oauth, 'authorization_endpoint'),
    token_endpoint: field(oauth, 'token_endpoint'),
    'redirect_uris.test': field(redirects, 'test'),
    'redirect_uris.live': field(redirects, 'live'),
  };
  const missing = Object.entries(required)
    .filter(([, value]) => typeof value !== 'string' || value === '')
    .map(([name]) => `oauth.${name}`);
  if (missing.length > 0) {
    throw new ConfigError(
      `stripe-app.json's constants lack ${missing.join(', ')}. ` +
        "Fill them with the kit's helpers.stripe_app.generate_app, or by hand from your provider's settings.",
    );
  }
  const optional = (name: string): string | null => {
    const value = field(oauth, name);
    return typeof value === 'string' && value !== '' ? value : null;
  };
  const authorizationEndpoint = required.authorization_endpoint as string;
  return {
    clientId: required.client_id as string,
    authorizationEndpoint,
    tokenEndpoint: required.token_endpoint as string,
    revocationEndpoint: optional('revocation_endpoint'),
    scope: optional('scope'),
    apiEndpoint: optional('api_endpoint'),
    providerName: optional('provider_name') ?? hostOf(authorizationEndpoint),
    redirectUris: {test: required['redirect_uris.test'] as string, live: required['redirect_uris.live'] as string},
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Step 3: the authorization link

/** The link to the provider's consent page, every value percent-encoded by URLSearchParams. */
export function authorizationUrl(
  config: OAuthConfig,
  mode: Mode,
  {state, challenge}: {state: string; challenge: string},
): string {
  const params = new URLSearchParams({
    response_type: 'code', // the page's parameter table spells it "reponse_type"
    client_id: config.clientId,
    redirect_uri: config.redirectUris[mode],
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  if (config.scope) {
    params.set('scope', config.scope);
  }
  const url = new URL(config.authorizationEndpoint);
  // Keep any query the endpoint already has (some providers put a tenant there).
  params.forEach((value, name) => url.searchParams.set(name, value));
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Step 5: the token requests, each a form body

/** The code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5); redirect_uri must be the link's. */
export function codeExchangeBody(config: OAuthConfig, mode: Mode, code: string, verifier: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: config.redirectUris[mode],
    client_id: config.clientId,
    code_verifier: verifier,
  });
}

/** A refresh (RFC 6749 §6). A public client authenticates with its client_id only. */
export function refreshBody(config: OAuthConfig, refreshToken: string): URLSearchParams {
  return new URLSearchParams({grant_type: 'refresh_token', refresh_token: refreshToken, client_id: config.clientId});
}

/** Revocation (RFC 7009): revoking the refresh token ends the whole grant; without one, the access token. */
export function revocationBody(config: OAuthConfig, token: TokenData): URLSearchParams {
  return new URLSearchParams({
    token: token.refresh_token ?? token.access_token,
    token_type_hint: token.refresh_token ? 'refresh_token' : 'access_token',
    client_id: config.clientId,
  });
}

/**
 * What the app keeps: the token response with absolute expiries (Unix seconds). The field
 * names are the kit's Python `TokenData`'s, so either side can read what the other saved.
 */
export interface TokenData {
  access_token: string;
  token_type: string;
  expires_at: number | null;
  refresh_token: string | null;
  scope: string | null;
  refresh_expires_at: number | null;
}

/** A provider's refusal (RFC 6749 §5.2 or §4.1.2.1): `error` is its code, e.g. invalid_grant. */
export class OAuthError extends Error {
  name = 'OAuthError';
  constructor(
    readonly error: string,
    readonly description: string | null = null,
    readonly status: number | null = null,
  ) {
    super(`${error}: ${description ?? OAUTH_HINTS[error] ?? 'the provider refused the request'}`);
  }
}

const OAUTH_HINTS: Record<string, string> = {
  access_denied: 'access was not allowed at the provider',
  invalid_grant: 'the code or refresh token was already used, has expired, or does not match',
  invalid_client: 'the provider does not know this client_id',
};

/** Build TokenData from a token response (RFC 6749 §5.1) received at Unix time `now`. */
export function tokenFromResponse(body: unknown, now: number): TokenData {
  const expiry = (name: string): number | null => {
    const seconds = secondsIn(field(body, name));
    return seconds === null ? null : Math.floor(now + seconds);
  };
  const token = tokenFields(body, 'the token response');
  return {
    ...token,
    expires_at: expiry('expires_in'),
    // No part of RFC 6749, but some providers (GitHub, the kit's sandbox) say when it ends.
    refresh_expires_at: token.refresh_token ? expiry('refresh_token_expires_in') : null,
  };
}

/** A number of seconds, sent as a JSON number or (by some providers) as a string of digits. */
function secondsIn(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? value : null;
  }
  return typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : null;
}

/** Whether the access token is expired, or will be within the leeway, at `now`; no expiry never expires. */
export function isExpired(token: TokenData, now: number, leeway: number = EXPIRY_LEEWAY): boolean {
  return token.expires_at !== null && now >= token.expires_at - leeway;
}

/**
 * The secret's `expires_at`: when the saved token is worth nothing any more (with a refresh
 * token, the refresh token's expiry, as a dead access token can be refreshed; else the access
 * token's), plus SECRET_EXPIRY_MARGIN, and never before `now`. Undefined: it does not expire.
 */
export function secretExpiry(token: TokenData, now: number): number | undefined {
  const worthless = token.refresh_token ? token.refresh_expires_at : token.expires_at;
  return worthless === null ? undefined : Math.max(worthless, now) + SECRET_EXPIRY_MARGIN;
}

/** Read back a payload written by `saveToken`. */
export function parseSavedToken(payload: string): TokenData {
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    throw new OAuthError('invalid_saved_token', 'the saved secret is not a token this app wrote');
  }
  const time = (name: string): number | null => {
    const value = field(data, name);
    return typeof value === 'number' && Number.isInteger(value) ? value : null;
  };
  return {...tokenFields(data, 'the saved token'), expires_at: time('expires_at'), refresh_expires_at: time('refresh_expires_at')};
}

/** The fields a token response and a saved token share, checked. */
function tokenFields(body: unknown, source: string): Omit<TokenData, 'expires_at' | 'refresh_expires_at'> {
  const text = (name: string): string | null => {
    const value = field(body, name);
    return typeof value === 'string' && value !== '' ? value : null;
  };
  const accessToken = text('access_token');
  const tokenType = text('token_type');
  if (!accessToken || !tokenType) {
    throw new OAuthError('invalid_response', `${source} has no access_token or no token_type`);
  }
  return {access_token: accessToken, token_type: tokenType, refresh_token: text('refresh_token'), scope: text('scope')};
}

/** What the flow reaches in the world; the view gives the real ones, a test its own. */
export interface Host {
  fetch: (
    url: string,
    init: {method: 'GET' | 'POST'; headers: Record<string, string>; body?: URLSearchParams},
  ) => Promise<{
    ok: boolean;
    status: number;
    json: () => Promise<unknown>;
  }>;
  secrets: SecretStore;
  createOAuthState: (state?: string) => Promise<{state: string; challenge: string}>;
  /** Unix seconds. */
  now: () => number;
}

/** The three Secret Store calls of stripe-node's `stripe.apps.secrets` the app makes. */
export interface SecretStore {
  create(params: {
    scope: Scope;
    name: string;
    payload: string;
    expires_at?: number;
  }): Promise<{id: string}>;
  find(params: {scope: Scope; name: string; expand: string[]}): Promise<{payload?: string | null}>;
  deleteWhere(params: {scope: Scope; name: string}): Promise<unknown>;
}

export interface Scope {
  type: 'user';
  user: string;
}

/**
 * A request the browser would not send, or whose answer it would not hand over: `fetch` then
 * rejects with a bare TypeError ("Failed to fetch"), by design the same for every cause. From a
 * UI extension's iframe the usual two are CORS (the provider does not allow the app's origin,
 * `null`) and the manifest's `connect-src` (it does not list the URL); the browser's console
 * names which. The request may have reached the provider all the same: a simple POST is sent
 * before CORS is checked, and only its answer is withheld.
 */
export class FetchRefused extends Error {
  name = 'FetchRefused';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(
      `The browser refused the request to ${url} (${reason}). Either the provider does not allow the app's ` +
        "origin, null, by CORS (Access-Control-Allow-Origin: null), or the manifest's connect-src does not list " +
        "the URL: the browser's console says which.",
    );
  }
}

/** `host.fetch`, with a refusal by the browser turned into a FetchRefused that says where to look. */
async function send(
  host: Host,
  url: string,
  init: Parameters<Host['fetch']>[1],
): Promise<Awaited<ReturnType<Host['fetch']>>> {
  try {
    return await host.fetch(url, init);
  } catch (error) {
    throw new FetchRefused(url, describe(error));
  }
}

/** POST a form to a token endpoint and read the token (or the refusal) from its answer. */
export async function requestToken(host: Host, endpoint: string, form: URLSearchParams): Promise<TokenData> {
  const response = await send(host, endpoint, {
    method: 'POST',
    // fetch sends a URLSearchParams body as application/x-www-form-urlencoded.
    headers: {Accept: 'application/json'},
    body: form,
  });
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says what happened.
  }
  const error = field(body, 'error');
  if (!response.ok || typeof error === 'string') {
    const description = field(body, 'error_description');
    throw new OAuthError(
      typeof error === 'string' ? error : 'server_error',
      typeof description === 'string' ? description : null,
      response.status,
    );
  }
  return tokenFromResponse(body, host.now());
}

/** The one request that trades the code and verifier for tokens. */
export function exchangeCode(
  host: Host,
  config: OAuthConfig,
  mode: Mode,
  code: string,
  verifier: string,
): Promise<TokenData> {
  return requestToken(host, config.tokenEndpoint, codeExchangeBody(config, mode, code, verifier));
}

/** A new access token; with rotation a new refresh token too, else the old one is kept. */
export async function refreshToken(host: Host, config: OAuthConfig, token: TokenData): Promise<TokenData> {
  if (!token.refresh_token) {
    throw new OAuthError('invalid_grant', 'the access token has expired and there is no refresh token');
  }
  const fresh = await requestToken(host, config.tokenEndpoint, refreshBody(config, token.refresh_token));
  return fresh.refresh_token
    ? fresh
    : {...fresh, refresh_token: token.refresh_token, refresh_expires_at: token.refresh_expires_at};
}

/** End the grant at the provider. RFC 7009 answers 200 even for a token it no longer knows. */
export async function revokeToken(host: Host, config: OAuthConfig, token: TokenData): Promise<void> {
  if (!config.revocationEndpoint) {
    return;
  }
  const response = await send(host, config.revocationEndpoint, {
    method: 'POST',
    headers: {Accept: 'application/json'},
    body: revocationBody(config, token),
  });
  if (!response.ok) {
    throw new OAuthError('revocation_failed', `the provider answered HTTP ${response.status}`, response.status);
  }
}

// ---------------------------------------------------------------------------------------------
// Steps 6 and 7: the Secret Store, in the user's scope

export function userScope(userId: string): Scope {
  return {type: 'user', user: userId};
}

/** Create or replace (Stripe's "set") the user's token secret, expiring when the token is worthless. */
export async function saveToken(secrets: SecretStore, userId: string, token: TokenData, now: number): Promise<void> {
  const expiresAt = secretExpiry(token, now);
  await secrets.create({
    scope: userScope(userId),
    name: TOKEN_SECRET_NAME,
    payload: JSON.stringify(token),
    ...(expiresAt === undefined ? {} : {expires_at: expiresAt}),
  });
}

/** The saved token, or null when there is none (a 404: never saved, logged out, or expired). */
export async function findToken(secrets: SecretStore, userId: string): Promise<TokenData | null> {
  try {
    const secret = await secrets.find({scope: userScope(userId), name: TOKEN_SECRET_NAME, expand: ['payload']});
    return secret.payload ? parseSavedToken(secret.payload) : null;
  } catch (error) {
    if (statusOf(error) === 404) {
      return null;
    }
    throw error;
  }
}

/** Delete the user's token secret; one already gone is fine. */
export async function deleteToken(secrets: SecretStore, userId: string): Promise<void> {
  try {
    await secrets.deleteWhere({scope: userScope(userId), name: TOKEN_SECRET_NAME});
  } catch (error) {
    if (statusOf(error) !== 404) {
      throw error;
    }
  }
}

/** The HTTP status of a stripe-node error (`StripeError.statusCode`), if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = field(error, 'statusCode');
  return typeof status === 'number' ? status : undefined;
}

// ---------------------------------------------------------------------------------------------
// One run at a time: each code exchanged once, each user's token refreshed once

/** Remembers at most this many codes: a session sees a handful; the memory must not grow for ever. */
export const REMEMBERED_CODES = 50;

/**
 * Exchanges each code once. The Dashboard keeps handing the same oauthContext until a full
 * reload (stripe/stripe-apps#649), and a code works once: a second exchange fails, and a
 * provider that sees a code twice should revoke what it issued for it (RFC 6749 §4.1.2).
 * A later run with the same code waits for the first instead.
 *
 * What it guarantees: one exchange per code while the extension's code stays loaded (a view
 * mounted again included). Not across tabs or reloads, which start with an empty guard; but a
 * reload also clears oauthContext, and another tab is handed a context of its own, so the only
 * second use left is a bug, which the provider refuses (invalid_grant).
 */
export class CodeGuard {
  private readonly runs = new Map<string, Promise<unknown>>();

  /** Run `exchange` if `code` is new and return its promise; undefined if the code was seen. */
  claim<T>(code: string, exchange: () => Promise<T>): Promise<T> | undefined {
    if (this.runs.has(code)) {
      return undefined;
    }
    const run = exchange();
    this.runs.set(
      code,
      run.catch(() => undefined),
    );
    // Map keeps insertion order: forget the oldest. Its exchange ended long ago, and the
    // Dashboard hands a code only until the next authorization replaces it.
    while (this.runs.size > REMEMBERED_CODES) {
      this.runs.delete(this.runs.keys().next().value as string);
    }
    return run;
  }

  /** Resolves when the one run for `code` has ended (at once for a code never claimed). */
  settled(code: string): Promise<unknown> {
    return this.runs.get(code) ?? Promise.resolve();
  }
}

/**
 * One refresh per user at a time. Two views open on an expired token would otherwise both send
 * the refresh token; with rotation the provider accepts the first and refuses the second
 * (invalid_grant), and may end the grant for the reuse (RFC 9700 §4.14.2). A second view waits
 * for the first one's refresh and takes its result.
 */
export class OneRefreshAtATime {
  private readonly running = new Map<string, Promise<TokenData>>();

  run(userId: string, refresh: () => Promise<TokenData>): Promise<TokenData> {
    const running = this.running.get(userId);
    if (running) {
      return running;
    }
    const run = refresh().finally(() => this.running.delete(userId));
    this.running.set(userId, run);
    return run;
  }
}

/** What the extension shares between its views: they live as long as its code is loaded. */
export interface Guards {
  codes: CodeGuard;
  refreshes: OneRefreshAtATime;
}

export function newGuards(): Guards {
  return {codes: new CodeGuard(), refreshes: new OneRefreshAtATime()};
}

// ---------------------------------------------------------------------------------------------
// A valid token before each API call

/**
 * The saved token, refreshed first if it has expired (the rotated pair saved over the old
 * secret). Null when there is none, or when the grant has ended (then the secret is deleted).
 */
export async function validToken(host: Host, session: Session, guards: Guards): Promise<TokenData | null> {
  const saved = await readSaved(host, session);
  if (!saved || !isExpired(saved, host.now())) {
    return saved;
  }
  return guards.refreshes.run(session.userId, () => refreshSaved(host, session, saved)).catch(async (error) => {
    if (error instanceof OAuthError && error.error === 'invalid_grant') {
      return endedOrRefreshedElsewhere(host, session, saved);
    }
    throw error;
  });
}

/** Refresh and save. Saved before it is used: the old refresh token is spent once the answer came. */
async function refreshSaved(host: Host, session: Session, saved: TokenData): Promise<TokenData> {
  const fresh = await refreshToken(host, session.config, saved);
  await saveToken(host.secrets, session.userId, fresh, host.now());
  return fresh;
}

/**
 * The refresh token was refused. Another tab may have refreshed first and saved the rotated
 * pair (its own lock does not reach this tab): read the secret again, and take that pair if it
 * is another one. Only if the secret still holds the refused token is the grant over, and the
 * secret deleted.
 */
async function endedOrRefreshedElsewhere(host: Host, session: Session, refused: TokenData): Promise<TokenData | null> {
  const now = await readSaved(host, session);
  if (now && now.refresh_token !== refused.refresh_token) {
    return now;
  }
  await deleteToken(host.secrets, session.userId);
  return null;
}

/**
 * The saved token; an unreadable secret (not JSON, or not a token) is deleted and read as none,
 * so that a new sign-in can replace it instead of failing on it for ever.
 */
async function readSaved(host: Host, session: Session): Promise<TokenData | null> {
  try {
    return await findToken(host.secrets, session.userId);
  } catch (error) {
    if (error instanceof OAuthError && ['invalid_saved_token', 'invalid_response'].includes(error.error)) {
      await deleteToken(host.secrets, session.userId);
      return null;
    }
    throw error;
  }
}

/** The API's refusal of a token (RFC 6750 §3.1), or another HTTP failure of an API call. */
export class ApiError extends Error {
  name = 'ApiError';
  constructor(
    readonly status: number,
    readonly error: string | null,
  ) {
    super(`the provider's API answered HTTP ${status}${error ? ` (${error})` : ''}`);
  }
}

/**
 * GET the provider's API with a valid token. A 401 means the token was revoked or expired
 * early: refresh once and try again; a second 401 ends the sign-in (the secret is deleted).
 * Null when there is no sign-in to call it with.
 */
export async function callApi(host: Host, session: Session, guards: Guards, url: string): Promise<unknown | null> {
  let token = await validToken(host, session, guards);
  for (let attempt = 0; token; attempt++) {
    const response = await send(host, url, {
      method: 'GET',
      headers: {Accept: 'application/json', Authorization: `Bearer ${token.access_token}`},
    });
    if (response.ok) {
      return response.json();
    }
    if (response.status !== 401) {
      throw new ApiError(response.status, null);
    }
    if (attempt > 0) {
      await deleteToken(host.secrets, session.userId);
      throw new ApiError(401, 'invalid_token');
    }
    const used = token;
    token = await guards.refreshes
      .run(session.userId, () => refreshSaved(host, session, {...used, expires_at: 0}))
      .catch((error) => (error instanceof OAuthError && error.error === 'invalid_grant' ? endedOrRefreshedElsewhere(host, session, used) : Promise.reject(error)));
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The flow, as the view shows it

export type Tone = 'info' | 'critical';
export interface Notice {
  tone: Tone;
  /** A short heading that fits what happened. */
  title: string;
  text: string;
}

/** Who the token belongs to at the provider, when it has an API to ask. */
export interface Account {
  name: string | null;
  email: string | null;
}

/** What the view shows; each flow function below returns the next one. */
export type View =
  | {status: 'loading'}
  | {status: 'signed_out'; link: string | null; notice: Notice}
  | {status: 'signed_in'; token: TokenData; account: Account | null; notice: Notice}
  | {status: 'needs_permission'; command: string | null; notice: Notice}
  | {status: 'broken'; notice: Notice};

/** What the flow needs from the extension context, checked once. */
export interface Session {
  config: OAuthConfig;
  mode: Mode;
  userId: string;
  /**
   * A development build (`stripe apps start`): the view may show developer commands. End users
   * run the uploaded build and are never shown a CLI command.
   */
  development: boolean;
}

/** The slice of `ExtensionContextValue` the flow reads (the SDK's type fits it). */
export interface ContextSlice {
  userContext?: {id?: string};
  environment: {mode: Mode; constants?: unknown};
  appContext?: {authorizedPermissions?: string[]};
}

/** A Session, or the View that says why there can be none. */
export function sessionFrom(context: ContextSlice, development: boolean = false): Session | View {
  const permissions = context.appContext?.authorizedPermissions;
  if (permissions && !permissions.includes(SECRET_WRITE)) {
    return needsPermission(development);
  }
  const userId = context.userContext?.id; // optional in the SDK's types
  if (!userId) {
    return broken('The Dashboard gave no user id: the token has no user scope to live in.');
  }
  try {
    return {config: readConfig(context.environment.constants), mode: context.environment.mode, userId, development};
  } catch (error) {
    return broken((error as Error).message);
  }
}

export function isSession(value: Session | View): value is Session {
  return 'config' in value;
}

export interface OAuthContextSlice {
  code?: string;
  verifier?: string;
  error?: string;
}

/**
 * On open, and whenever the Dashboard hands new props. Looks for the saved token first, so an
 * app opened again ignores the old code still in oauthContext (#649); a code not exchanged
 * yet is exchanged, once, and the token saved; otherwise a fresh Authorize link.
 */
export async function openApp(
  host: Host,
  session: Session,
  oauthContext: OAuthContextSlice | undefined,
  guards: Guards,
): Promise<View> {
  try {
    const {code, verifier, error} = oauthContext ?? {};
    if (code) {
      await guards.codes.settled(code); // an exchange of this code under way: what it saves comes first
    }
    const had = await readSaved(host, session);
    const saved = had && (await validToken(host, session, guards));
    if (saved) {
      const refreshed = saved.access_token !== had?.access_token;
      return await signedIn(host, session, guards, saved, refreshed ? 'The token had expired and was refreshed.' : 'Found your saved token.');
    }
    if (had) {
      return await startAuthorization(host, session, critical('Signed out', `Your sign-in at ${session.config.providerName} has ended: authorize again to reconnect.`));
    }
    if (error) {
      return await startAuthorization(host, session, critical('Not connected', new OAuthError(error).message));
    }
    if (code && verifier) {
      const first = guards.codes.claim(code, () => connect(host, session, guards, code, verifier));
      if (first) {
        return await first;
      }
      await guards.codes.settled(code); // another run claimed it meanwhile: find what that run saved
      const theirs = await readSaved(host, session);
      if (theirs) {
        return await signedIn(host, session, guards, theirs, 'Found your saved token.');
      }
    }
    return await startAuthorization(host, session, info('Not connected yet', `Authorize at ${session.config.providerName}, allow access, then come back here.`));
  } catch (error) {
    return failure(host, session, error);
  }
}

/** The code and verifier from oauthContext: exchange them, save the token, show it. */
async function connect(host: Host, session: Session, guards: Guards, code: string, verifier: string): Promise<View> {
  try {
    const token = await exchangeCode(host, session.config, session.mode, code, verifier);
    await saveToken(host.secrets, session.userId, token, host.now());
    return await signedIn(host, session, guards, token, 'The token is saved in your user scope.');
  } catch (error) {
    return failure(host, session, error);
  }
}

/** Signed in: with an API to ask, who the token belongs to (which also proves it works). */
async function signedIn(host: Host, session: Session, guards: Guards, token: TokenData, text: string): Promise<View> {
  const notice = info(`Connected to ${session.config.providerName}`, text);
  if (!session.config.apiEndpoint) {
    return {status: 'signed_in', token, account: null, notice};
  }
  const me = await callApi(host, session, guards, session.config.apiEndpoint);
  if (me === null) {
    return startAuthorization(host, session, critical('Signed out', `Your sign-in at ${session.config.providerName} has ended: authorize again to reconnect.`));
  }
  const text_ = (name: string) => (typeof field(me, name) === 'string' ? (field(me, name) as string) : null);
  // The token may have been refreshed by the call: show the one now saved.
  const current = (await findToken(host.secrets, session.userId)) ?? token;
  return {status: 'signed_in', token: current, account: {name: text_('name'), email: text_('email')}, notice};
}

/** Log out: delete the saved token first (a later session must not find it), then revoke it. */
export async function logOut(host: Host, session: Session, token: TokenData): Promise<View> {
  try {
    await deleteToken(host.secrets, session.userId);
  } catch (error) {
    return {status: 'signed_in', token, account: null, notice: critical('Still signed in', describe(error))};
  }
  try {
    await revokeToken(host, session.config, token);
  } catch (error) {
    return startAuthorization(host, session, critical('Logged out, not revoked', `The token is deleted, but ${describe(error)}`));
  }
  return startAuthorization(host, session, loggedOut(session.config));
}

/**
 * What Log out tells the user once the token is deleted. Without a revocation endpoint nothing
 * ended the grant at the provider: say so, never "revoked".
 */
export function loggedOut(config: OAuthConfig): Notice {
  if (config.revocationEndpoint) {
    return info('Logged out', 'The token is deleted and revoked.');
  }
  return critical(
    'Logged out, not revoked',
    'The token is deleted, but the provider has no revocation endpoint, so the grant stays live there ' +
      "until it expires. End it in the provider's settings (the app's access, under connected apps or sessions).",
  );
}

/** createOAuthState and a fresh link: the Dashboard accepts each state once. */
export async function startAuthorization(host: Host, session: Session, notice: Notice): Promise<View> {
  try {
    const oauthState = await host.createOAuthState();
    return {status: 'signed_out', link: authorizationUrl(session.config, session.mode, oauthState), notice};
  } catch (error) {
    return {status: 'signed_out', link: null, notice: critical(notice.title, `${notice.text} ${describe(error)}`)};
  }
}

function failure(host: Host, session: Session, error: unknown): Promise<View> | View {
  if (statusOf(error) === 403) {
    return needsPermission(session.development);
  }
  return startAuthorization(host, session, critical('Could not connect', describe(error)));
}

function needsPermission(development: boolean): View {
  return {
    status: 'needs_permission',
    command: development ? GRANT_SECRET_WRITE : null,
    notice: critical(
      'Permission missing',
      development
        ? 'The app may not use the Secret Store: its manifest lacks the secret_write permission.'
        : 'The app may not keep your sign-in: ask an administrator of this Stripe account to update the app.',
    ),
  };
}

function broken(text: string): View {
  return {status: 'broken', notice: critical('The app is not set up', text)};
}

function info(title: string, text: string): Notice {
  return {tone: 'info', title, text};
}

function critical(title: string, text: string): Notice {
  return {tone: 'critical', title, text};
}

/** An error as the user reads it; a provider's answer never carries a token, so it is safe to show. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
