/**
 * The kit's sandbox as the world around the app, for test/flow.test.tsx.
 *
 * - The Dashboard host: the endpoint the SDK calls (`globalThis.__StripeExtExports.endpoint`),
 *   answering `createOAuthState` with the sandbox's Dashboard, and `stripeApiFetch` (what
 *   `createHttpClient()` sends the Secret Store calls through) with the sandbox's /stripe, under
 *   the install's key, as the Dashboard session would.
 * - The user's browser: opens the authorization link, answers the consent page's form and
 *   follows the redirect to the Dashboard's landing, over HTTP, as sandbox/user_agent.py does.
 * - The app's own requests (the token endpoint, revocation) go through the global fetch, which
 *   is recorded so the test can count token requests and check them against connect-src.
 *
 * pytest (tests/stripe_app/test_flow.py) starts the sandbox, registers the app with its
 * provider, generates the manifest and passes all of it in the file named by KIT_FLOW_SETUP.
 */
import {readFileSync} from 'fs';
import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {AUTHORIZATION_VALUE} from '@stripe/ui-extension-sdk/http_client';
import type {SerializableRequestOptions, SerializableResponse} from '@stripe/ui-extension-sdk/api_fetch';

export interface FlowSetup {
  sandbox: string;
  manifest: {id: string; constants: {oauth: {token_endpoint: string; revocation_endpoint: string}}};
  report: string;
}

export function readSetup(): FlowSetup | null {
  const path = process.env.KIT_FLOW_SETUP;
  return path ? (JSON.parse(readFileSync(path, 'utf-8')) as FlowSetup) : null;
}

export type OAuthContext = NonNullable<ExtensionContextValue['oauthContext']>;

export interface Install {
  apiKey: string;
  userId: string;
  permissions: string[];
}

// The harness's own requests use the real fetch; the app's go through the recorded one.
const realFetch = globalThis.fetch;

/** A request the app made itself (not through the Dashboard): what connect-src must admit. */
export interface AppRequest {
  url: string;
  form: URLSearchParams;
}

export class Sandbox {
  readonly appRequests: AppRequest[] = [];
  private readonly dashboard: string;
  private readonly provider: string;

  constructor(readonly setup: FlowSetup) {
    this.dashboard = `${setup.sandbox}/dashboard`;
    this.provider = `${setup.sandbox}/provider`;
    globalThis.fetch = async (input, init) => {
      this.appRequests.push({url: String(input), form: new URLSearchParams(String(init?.body ?? ''))});
      return realFetch(input, init);
    };
  }

  /** The token requests the app sent so far, by grant type. */
  tokenRequests(grantType: 'authorization_code' | 'refresh_token'): AppRequest[] {
    const endpoint = this.setup.manifest.constants.oauth.token_endpoint;
    return this.appRequests.filter((r) => r.url === endpoint && r.form.get('grant_type') === grantType);
  }

  /** Install the app for a user, as uploading and installing it would (World.install_app). */
  async install(userId: string, manifest: object = this.setup.manifest): Promise<Install> {
    const body = await this.json(`${this.dashboard}/api/installs`, {manifest, user_id: userId, mode: 'test'});
    return {apiKey: body.api_key as string, userId, permissions: body.permissions as string[]};
  }

  /** Be the Dashboard for this install: the SDK's host endpoint. */
  host(install: Install): void {
    (globalThis as {__StripeExtExports?: unknown}).__StripeExtExports = {
      endpoint: {
        call: {
          createOAuthState: async (state: string) =>
            this.json(`${this.dashboard}/api/oauth_state`, {state}, install.apiKey),
          // No embedded key: the SDK then sends Stripe API calls through stripeApiFetch below.
          supportsFetchAppEmbeddedKey: async () => false,
          stripeApiFetch: (path: string, init: SerializableRequestOptions = {}) => this.stripeApi(install, path, init),
        },
      },
    };
  }

  /** What the Dashboard hands the app after a redirect it accepted (once), as the view's prop. */
  async oauthContext(install: Install): Promise<OAuthContext | undefined> {
    const response = await realFetch(`${this.dashboard}/api/oauth_context`, {
      headers: {Authorization: `Bearer ${install.apiKey}`},
    });
    const {oauth_context: context} = (await response.json()) as {oauth_context: Record<string, string | null> | null};
    if (!context) return undefined;
    // The SDK's type has optional strings where the sandbox's JSON has nulls.
    return Object.fromEntries(Object.entries(context).filter(([, value]) => value !== null)) as OAuthContext;
  }

  /** The user at the consent page: open the link, press Approve or Deny, follow the redirect. */
  async consent(link: string, approve: boolean): Promise<{result: string; reason?: string}> {
    const page = await realFetch(link, {redirect: 'manual'});
    const html = await page.text();
    const form = /<form\b[^>]*\bid="consent-form"[^>]*>/.exec(html);
    if (!form) {
      throw new Error(`No consent form at the link (HTTP ${page.status}).`);
    }
    const action = /\baction="([^"]*)"/.exec(form[0])?.[1] || link; // no action: the page's own URL
    const decision = await realFetch(new URL(action, link), {
      method: 'POST',
      body: new URLSearchParams({decision: approve ? 'approve' : 'deny'}),
      redirect: 'manual',
    });
    const location = decision.headers.get('location');
    if (!location) {
      throw new Error(`The provider did not redirect after the consent form (HTTP ${decision.status}).`);
    }
    return this.visit(new URL(location, link).toString());
  }

  /** Open a URL in the user's browser and read what the Dashboard's landing page says. */
  async visit(url: string): Promise<{result: string; reason?: string}> {
    const landing = await (await realFetch(url)).text();
    const mark = /<div\b[^>]*\bid="landing"[^>]*>/.exec(landing)?.[0] ?? '';
    const attribute = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(mark)?.[1];
    return {result: attribute('data-result') ?? 'no landing', reason: attribute('data-reason')};
  }

  /** Age the grant a token belongs to at the provider (the sandbox's own call, not OAuth). */
  async letTimePass(token: string, seconds: number): Promise<void> {
    const response = await realFetch(`${this.provider}/sandbox/let-time-pass`, {
      method: 'POST',
      body: new URLSearchParams({token, seconds: String(seconds)}),
    });
    if (!response.ok) throw new Error(`let-time-pass answered HTTP ${response.status}`);
  }

  /** Call the provider's protected API with a token; the HTTP status says whether it still works. */
  async apiStatus(token: string): Promise<number> {
    return (await realFetch(`${this.provider}/api/me`, {headers: {Authorization: `Bearer ${token}`}})).status;
  }

  private async stripeApi(install: Install, path: string, init: SerializableRequestOptions): Promise<SerializableResponse> {
    const headers = {...(init.headers as Record<string, string>)};
    // The Dashboard refuses any key but the SDK's placeholder, and sends the session's own.
    if (headers.Authorization !== AUTHORIZATION_VALUE) {
      throw new Error(`The app sent Authorization: ${headers.Authorization ?? 'none'}, not the SDK's placeholder.`);
    }
    headers.Authorization = `Bearer ${install.apiKey}`;
    const response = await realFetch(`${this.setup.sandbox}/stripe${path}`, {
      method: init.method,
      headers,
      body: init.body,
    });
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      responseHeaders[key] = value;
    });
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return {
      json: isJson ? ((await response.json()) as object) : undefined,
      headers: responseHeaders,
      ok: response.ok,
      redirected: response.redirected,
      status: response.status,
      statusText: response.statusText,
      type: response.type,
      url: response.url,
    };
  }

  private async json(url: string, body: object, apiKey?: string): Promise<Record<string, unknown>> {
    const response = await realFetch(url, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', ...(apiKey ? {Authorization: `Bearer ${apiKey}`} : {})},
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  }
}
