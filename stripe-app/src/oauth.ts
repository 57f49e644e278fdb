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
 *   `expand: ['payload']`; an expired access token is refreshed and the rotated pair saved over
 *   the old secret; log out deletes the secret, then revokes the grant (RFC 7009).
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
  return {
    clientId: required.client_id as string,
    authorizationEndpoint: required.authorization_endpoint as string,
    tokenEndpoint: required.token_endpoint as string,
    revocationEndpoint: optional('revocation_endpoint'),
    scope: optional('scope'),
    redirectUris: {test: required['redirect_uris.test'] as string, live: required['redirect_uris.live'] as string},
  };
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
    const seconds = field(body, name);
    return typeof seconds === 'number' && Number.isFinite(seconds) ? Math.floor(now + seconds) : null;
  };
  const token = tokenFields(body, 'the token response');
  return {
    ...token,
    expires_at: expiry('expires_in'),
    // No part of RFC 6749, but some providers (GitHub, the kit's sandbox) say when it ends.
    refresh_expires_at: token.refresh_token ? expiry('refresh_token_expires_in') : null,
  };
}

/** Whether the access token is expired, or will be within the leeway, at `now`; no expiry never expires. */
export function isExpired(token: TokenData, now: number, leeway: number = EXPIRY_LEEWAY): boolean {
  return token.expires_at !== null && now >= token.expires_at - leeway;
}

/**
 * When the saved secret is worth nothing any more, to give it as its `expires_at`: with a
 * refresh token, the refresh token's expiry (a dead access token can be refreshed); else the
 * access token's. Undefined: the secret does not expire.
 */
export function secretExpiry(token: TokenData): number | undefined {
  return (token.refresh_token ? token.refresh_expires_at : token.expires_at) ?? undefined;
}

/** Read back a payload written by `saveToken`. */
export function parseSavedToken(payload: string): TokenData {
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    throw new OAuthError('invalid_saved_token', 'the saved secret is not JSON: log out and authorize again');
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
  fetch: (url: string, init: {method: 'POST'; headers: Record<string, string>; body: URLSearchParams}) => Promise<{
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

/** POST a form to a token endpoint and read the token (or the refusal) from its answer. */
export async function requestToken(host: Host, endpoint: string, form: URLSearchParams): Promise<TokenData> {
  const response = await host.fetch(endpoint, {
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
  const response = await host.fetch(config.revocationEndpoint, {
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
export async function saveToken(secrets: SecretStore, userId: string, token: TokenData): Promise<void> {
  const expiresAt = secretExpiry(token);
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
// The flow, as the view shows it

export type Tone = 'info' | 'critical';
export interface Notice {
  tone: Tone;
  text: string;
}

/** What the view shows; each flow function below returns the next one. */
export type View =
  | {status: 'loading'}
  | {status: 'signed_out'; link: string | null; notice: Notice}
  | {status: 'signed_in'; token: TokenData; notice: Notice}
  | {status: 'needs_permission'; command: string; notice: Notice}
  | {status: 'broken'; notice: Notice};

/** What the flow needs from the extension context, checked once. */
export interface Session {
  config: OAuthConfig;
  mode: Mode;
  userId: string;
}

/** The slice of `ExtensionContextValue` the flow reads (the SDK's type fits it). */
export interface ContextSlice {
  userContext?: {id?: string};
  environment: {mode: Mode; constants?: unknown};
  appContext?: {authorizedPermissions?: string[]};
}

/** A Session, or the View that says why there can be none. */
export function sessionFrom(context: ContextSlice): Session | View {
  const permissions = context.appContext?.authorizedPermissions;
  if (permissions && !permissions.includes(SECRET_WRITE)) {
    return needsPermission();
  }
  const userId = context.userContext?.id; // optional in the SDK's types
  if (!userId) {
    return broken('The Dashboard gave no user id: the token has no user scope to live in.');
  }
  try {
    return {config: readConfig(context.environment.constants), mode: context.environment.mode, userId};
  } catch (error) {
    return broken((error as Error).message);
  }
}

export function isSession(value: Session | View): value is Session {
  return 'config' in value;
}

/**
 * Exchanges each code once. The Dashboard keeps handing the same oauthContext until a full
 * reload (stripe/stripe-apps#649), and a code works once: a second exchange fails, and a
 * provider that sees a code twice should revoke what it issued for it (RFC 6749 §4.1.2).
 * A later run with the same code waits for the first instead.
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
    return run;
  }

  /** Resolves when the one run for `code` has ended (at once for a code never claimed). */
  settled(code: string): Promise<unknown> {
    return this.runs.get(code) ?? Promise.resolve();
  }
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
  guard: CodeGuard,
): Promise<View> {
  try {
    const {code, verifier, error} = oauthContext ?? {};
    if (code) {
      await guard.settled(code); // an exchange of this code under way: what it saves comes first
    }
    const saved = await findToken(host.secrets, session.userId);
    if (saved) {
      return await resumeSaved(host, session, saved);
    }
    if (error) {
      return await startAuthorization(host, session, critical(new OAuthError(error).message));
    }
    if (code && verifier) {
      const first = guard.claim(code, () => connect(host, session, code, verifier));
      if (first) {
        return await first;
      }
      await guard.settled(code); // another run claimed it meanwhile: find what that run saved
      const theirs = await findToken(host.secrets, session.userId);
      if (theirs) {
        return await resumeSaved(host, session, theirs);
      }
    }
    return await startAuthorization(host, session, info('Not connected yet: press Authorize and allow access.'));
  } catch (error) {
    return failure(host, session, error);
  }
}

/** The code and verifier from oauthContext: exchange them, save the token, show it. */
async function connect(host: Host, session: Session, code: string, verifier: string): Promise<View> {
  try {
    const token = await exchangeCode(host, session.config, session.mode, code, verifier);
    await saveToken(host.secrets, session.userId, token);
    return {status: 'signed_in', token, notice: info('Connected: the token is saved in your user scope.')};
  } catch (error) {
    return failure(host, session, error);
  }
}

/** A saved token: still good, or refreshed and saved over the old secret (rotation), or gone. */
async function resumeSaved(host: Host, session: Session, saved: TokenData): Promise<View> {
  if (!isExpired(saved, host.now())) {
    return {status: 'signed_in', token: saved, notice: info('Connected: found your saved token.')};
  }
  try {
    const fresh = await refreshToken(host, session.config, saved);
    await saveToken(host.secrets, session.userId, fresh);
    return {status: 'signed_in', token: fresh, notice: info('Connected: the token had expired and was refreshed.')};
  } catch (error) {
    if (error instanceof OAuthError && error.error === 'invalid_grant') {
      // The grant has ended (a spent or revoked refresh token): the secret is worthless now.
      await deleteToken(host.secrets, session.userId);
      return startAuthorization(
        host,
        session,
        critical('Your sign-in at the provider has ended: press Authorize to connect again.'),
      );
    }
    throw error;
  }
}

/** Log out: delete the saved token first (a later session must not find it), then revoke it. */
export async function logOut(host: Host, session: Session, token: TokenData): Promise<View> {
  try {
    await deleteToken(host.secrets, session.userId);
  } catch (error) {
    return {status: 'signed_in', token, notice: critical(describe(error))};
  }
  try {
    await revokeToken(host, session.config, token);
  } catch (error) {
    return startAuthorization(host, session, critical(`Logged out, but ${describe(error)}`));
  }
  return startAuthorization(host, session, loggedOut(session.config));
}

/**
 * What Log out tells the user once the token is deleted. Without a revocation endpoint nothing
 * ended the grant at the provider: say so, never "revoked".
 */
export function loggedOut(config: OAuthConfig): Notice {
  if (config.revocationEndpoint) {
    return info('Logged out: the token is deleted and revoked.');
  }
  return critical(
    'Logged out here: the token is deleted, but the provider has no revocation endpoint, so the grant ' +
      "stays live there until it expires. End it in the provider's settings (the app's access, under " +
      'connected apps or sessions).',
  );
}

/** createOAuthState and a fresh link: the Dashboard accepts each state once. */
export async function startAuthorization(host: Host, session: Session, notice: Notice): Promise<View> {
  try {
    const oauthState = await host.createOAuthState();
    return {status: 'signed_out', link: authorizationUrl(session.config, session.mode, oauthState), notice};
  } catch (error) {
    return {status: 'signed_out', link: null, notice: critical(`${notice.text} ${describe(error)}`)};
  }
}

function failure(host: Host, session: Session, error: unknown): Promise<View> | View {
  if (statusOf(error) === 403) {
    return needsPermission();
  }
  return startAuthorization(host, session, critical(describe(error)));
}

function needsPermission(): View {
  return {
    status: 'needs_permission',
    command: GRANT_SECRET_WRITE,
    notice: critical('The app may not use the Secret Store: it lacks the secret_write permission.'),
  };
}

function broken(text: string): View {
  return {status: 'broken', notice: critical(text)};
}

function info(text: string): Notice {
  return {tone: 'info', text};
}

function critical(text: string): Notice {
  return {tone: 'critical', text};
}

/** An error as the user reads it; a provider's answer never carries a token, so it is safe to show. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
