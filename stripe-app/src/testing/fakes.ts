/**
 * A world for the unit tests, in memory: a provider that rotates refresh tokens and refuses a
 * spent one (as the kit's sandbox and RFC 9700 do), a Secret Store, and the Dashboard's
 * createOAuthState. Each request the app sends is recorded.
 */
import {type Host, type OAuthConfig, type Scope, type SecretStore} from '../oauth';

export const config: OAuthConfig = {
  clientId: 'client+id/=&#',
  authorizationEndpoint: 'https://provider.example/oauth2/authorize',
  tokenEndpoint: 'https://provider.example/oauth2/token',
  revocationEndpoint: 'https://provider.example/oauth2/revoke',
  scope: 'files.read account.read',
  apiEndpoint: 'https://provider.example/v1/me',
  providerName: 'Provider Example',
  redirectUris: {
    test: 'https://dashboard.stripe.com/test/apps-oauth/com.example.app',
    live: 'https://dashboard.stripe.com/apps-oauth/com.example.app',
  },
};

/** A Secret Store error as stripe-node raises it: what the app reads is `statusCode`. */
class StripeLikeError extends Error {
  constructor(readonly statusCode: number) {
    super(`HTTP ${statusCode}`);
  }
}

export class FakeSecrets implements SecretStore {
  readonly saved = new Map<string, {payload: string; expires_at?: number}>();

  private key(scope: Scope, name: string): string {
    return `${scope.user}/${name}`;
  }

  async create(params: {scope: Scope; name: string; payload: string; expires_at?: number}) {
    this.saved.set(this.key(params.scope, params.name), {payload: params.payload, expires_at: params.expires_at});
    return {id: 'appsecret_1'};
  }

  async find(params: {scope: Scope; name: string}) {
    const secret = this.saved.get(this.key(params.scope, params.name));
    if (!secret) throw new StripeLikeError(404);
    return {payload: secret.payload};
  }

  async deleteWhere(params: {scope: Scope; name: string}) {
    if (!this.saved.delete(this.key(params.scope, params.name))) throw new StripeLikeError(404);
    return {deleted: true};
  }
}

type Reply = {ok: boolean; status: number; json: () => Promise<unknown>};
const reply = (status: number, body: unknown): Reply => ({ok: status < 300, status, json: async () => body});

export class FakeProvider {
  readonly requests: {url: string; form: Record<string, string>; authorization?: string}[] = [];
  /** Live refresh tokens and access tokens. */
  readonly refreshTokens = new Set<string>();
  readonly accessTokens = new Set<string>();
  private issued = 0;
  /** Called before each token answer: a test can hold it to make two requests overlap. */
  gate: () => Promise<void> = async () => undefined;

  issue(): {access_token: string; token_type: string; expires_in: number; refresh_token: string} {
    this.issued += 1;
    const token = {access_token: `at${this.issued}`, token_type: 'Bearer', expires_in: 3600, refresh_token: `rt${this.issued}`};
    this.accessTokens.add(token.access_token);
    this.refreshTokens.add(token.refresh_token);
    return token;
  }

  fetch: Host['fetch'] = async (url, init) => {
    const form = Object.fromEntries(new URLSearchParams(init.body?.toString() ?? ''));
    this.requests.push({url, form, authorization: init.headers.Authorization});
    if (url === config.tokenEndpoint) {
      await this.gate();
      if (form.grant_type === 'refresh_token') {
        if (!this.refreshTokens.delete(form.refresh_token)) {
          return reply(400, {error: 'invalid_grant', error_description: 'spent'});
        }
      }
      return reply(200, this.issue());
    }
    if (url === config.revocationEndpoint) {
      this.refreshTokens.delete(form.token);
      return reply(200, {});
    }
    if (url === config.apiEndpoint) {
      const token = (init.headers.Authorization ?? '').replace('Bearer ', '');
      return this.accessTokens.has(token) ? reply(200, {name: 'Ada', email: 'ada@example.com'}) : reply(401, {});
    }
    throw new TypeError('Failed to fetch');
  };

  count(grantType: string): number {
    return this.requests.filter((r) => r.url === config.tokenEndpoint && r.form.grant_type === grantType).length;
  }
}

export function fakeHost(now: () => number = () => 1_800_000_000) {
  const provider = new FakeProvider();
  const secrets = new FakeSecrets();
  let states = 0;
  const host: Host = {
    fetch: provider.fetch,
    secrets,
    createOAuthState: async () => {
      states += 1;
      return {state: `state${states}`, challenge: `challenge${states}`};
    },
    now,
  };
  return {host, provider, secrets};
}

