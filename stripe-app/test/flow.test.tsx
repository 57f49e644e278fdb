/**
 * The whole flow, the app's own code end to end, against the kit's running sandbox: the view
 * rendered with the SDK's testing `render`, the Dashboard, the provider and the Secret Store
 * played by the sandbox (see test/sandbox.ts). Run by pytest (tests/stripe_app/test_flow.py),
 * which starts the sandbox; without it these tests are skipped.
 */
import {writeFileSync} from 'fs';
import {useState} from 'react';
import {Banner, Button} from '@stripe/ui-extension-sdk/ui';
import {getMockContextProps, render} from '@stripe/ui-extension-sdk/testing';
import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {createHttpClient, STRIPE_API_KEY} from '@stripe/ui-extension-sdk/http_client';
import Stripe from 'stripe';

import App from '../src/views/App';
import {GRANT_SECRET_WRITE, findToken, saveToken, type TokenData} from '../src/oauth';
import {Sandbox, readSetup, type Install, type OAuthContext} from './sandbox';

const setup = readSetup();
const sandbox = setup ? new Sandbox(setup) : null;
const world = () => sandbox as Sandbox;
const secrets = new Stripe(STRIPE_API_KEY, {httpClient: createHttpClient() as Stripe.HttpClient}).apps.secrets;

/** The props the Dashboard gives the drawer view of this install. */
function contextFor(install: Install, oauthContext?: OAuthContext): ExtensionContextValue {
  const props = getMockContextProps({
    userContext: {id: install.userId},
    environment: {mode: 'test', viewportID: 'stripe.dashboard.drawer.default', constants: setup?.manifest.constants},
    appContext: {authorizedPermissions: install.permissions},
  });
  // getMockContextProps drops an oauthContext given in its argument: add it after.
  return {...props, oauthContext};
}

/** The Dashboard rendering the view; `handOver` gives it new props, as after a redirect. */
function open(context: ExtensionContextValue) {
  let setProps: (next: ExtensionContextValue) => void = () => undefined;
  const Dashboard = () => {
    const [props, set] = useState(context);
    setProps = set;
    return <App {...props} />;
  };
  const {wrapper, update} = render(<Dashboard />);
  const shown = () => {
    const authorize = wrapper.find(Button, {type: 'primary'});
    return {
      notice: `${String(wrapper.find(Banner)?.prop('title') ?? '')}: ${String(wrapper.find(Banner)?.prop('description') ?? '')}`,
      link: authorize ? (authorize.prop('href') as string | undefined) : undefined,
      signedIn: wrapper.find(Button, {type: 'destructive'}) !== null,
      text: wrapper.text,
    };
  };
  return {
    shown,
    handOver: (next: ExtensionContextValue) => wrapper.act(() => setProps(next)),
    logOut: () => wrapper.find(Button, {type: 'destructive'})?.trigger('onPress'),
    /** Let the view's requests run until `check` holds. */
    until: async (check: (now: ReturnType<typeof shown>) => boolean, what: string) => {
      for (let tries = 0; tries < 300; tries++) {
        await update();
        if (check(shown())) return shown();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`The view never showed ${what}; it shows ${JSON.stringify(shown())}`);
    },
  };
}

const signedOut = (s: {link?: string}) => Boolean(s.link);
const signedIn = (s: {signedIn: boolean}) => s.signedIn;

/** Install for a user, open the view, approve at the provider, hand the context over: connected. */
async function connect(userId: string) {
  const install = await world().install(userId);
  world().host(install);
  const view = open(contextFor(install));
  const {link} = await view.until(signedOut, 'the Authorize button');
  expect(await world().consent(link as string, true)).toEqual({result: 'code'});
  const oauthContext = await world().oauthContext(install);
  view.handOver(contextFor(install, oauthContext));
  await view.until(signedIn, 'Log out');
  const token = (await findToken(secrets, userId)) as TokenData;
  return {install, view, oauthContext, token};
}

(setup ? describe : describe.skip)('the app against the sandbox', () => {
  afterAll(() => {
    // For pytest: every URL the app fetched itself, to check against the manifest's connect-src.
    writeFileSync((setup as {report: string}).report, JSON.stringify(world().appRequests.map((r) => r.url)));
  });

  it('connects, is found again, hands each code over once, and logs out leaving nothing', async () => {
    const install = await world().install('usr_flow1');
    world().host(install);
    const view = open(contextFor(install));
    const first = await view.until(signedOut, 'the Authorize button');
    expect(first.notice).toMatch(/Not connected yet/);
    const link = new URL(first.link as string);
    expect(`${link.origin}${link.pathname}`).toBe(`${setup?.sandbox}/provider/authorize`);

    expect(await world().consent(link.toString(), true)).toEqual({result: 'code'});
    const oauthContext = await world().oauthContext(install);
    expect(oauthContext?.code && oauthContext.verifier).toBeTruthy();
    view.handOver(contextFor(install, oauthContext));
    expect((await view.until(signedIn, 'Log out')).notice).toMatch(/saved in your user scope/);
    expect(world().tokenRequests('authorization_code')).toHaveLength(1);

    // The Dashboard hands the same oauthContext again (stripe/stripe-apps#649): once to the
    // same view, once to a view opened afresh. Neither sends a second token request.
    view.handOver(contextFor(install, {...(oauthContext as OAuthContext)}));
    const reopened = open(contextFor(install, oauthContext));
    expect((await reopened.until(signedIn, 'Log out')).notice).toMatch(/Found your saved token/);
    await view.until(signedIn, 'Log out');
    expect(world().tokenRequests('authorization_code')).toHaveLength(1);

    const token = (await findToken(secrets, install.userId)) as TokenData;
    expect(await world().apiStatus(token.access_token)).toBe(200);

    await reopened.logOut();
    expect((await reopened.until(signedOut, 'Authorize again')).notice).toMatch(/deleted and revoked/);
    expect(await findToken(secrets, install.userId)).toBeNull();
    expect(await world().apiStatus(token.access_token)).toBe(401);
    const later = open(contextFor(install, oauthContext));
    expect((await later.until(signedOut, 'the Authorize button')).notice).toMatch(/Not connected yet/);
    expect(world().tokenRequests('authorization_code')).toHaveLength(1);
  });

  it('shows a denial and offers a fresh link', async () => {
    const install = await world().install('usr_flow2');
    world().host(install);
    const view = open(contextFor(install));
    const {link} = await view.until(signedOut, 'the Authorize button');
    expect(await world().consent(link as string, false)).toEqual({result: 'error'});
    const before = world().tokenRequests('authorization_code').length;
    view.handOver(contextFor(install, await world().oauthContext(install)));
    const denied = await view.until((s) => /access_denied/.test(s.notice), 'the denial');
    expect(denied.link).toBeTruthy();
    expect(denied.link).not.toBe(link);
    expect(world().tokenRequests('authorization_code')).toHaveLength(before);
  });

  it('gets no oauthContext when the state was tampered with', async () => {
    const install = await world().install('usr_flow3');
    world().host(install);
    const view = open(contextFor(install));
    const link = new URL((await view.until(signedOut, 'the Authorize button')).link as string);
    link.searchParams.set('state', `${link.searchParams.get('state')}x`);
    expect(await world().consent(link.toString(), true)).toEqual({result: 'refused', reason: 'unknown_state'});
    expect(await world().oauthContext(install)).toBeUndefined();
  });

  it('shows the grant command without secret_write', async () => {
    const manifest = {...(setup as {manifest: object}).manifest, permissions: []};
    const install = await world().install('usr_flow4', manifest);
    world().host(install);
    // The Dashboard lists the app's permissions, and secret_write is not among them.
    const listed = open(contextFor(install));
    expect((await listed.until((s) => s.text.includes(GRANT_SECRET_WRITE), 'the grant command')).link).toBeUndefined();
    // A Dashboard that does not list them: the Secret Store's 403 says the same.
    const unlisted = open({...contextFor(install), appContext: {}});
    await unlisted.until((s) => s.text.includes(GRANT_SECRET_WRITE), 'the grant command after a 403');
  });

  describe('an hour later', () => {
    const realNow = Date.now;
    afterEach(() => {
      Date.now = realNow;
    });
    /** The provider's clock and the app's, an hour on (as 08-token-lifecycle does). */
    const anHourPasses = async (token: TokenData) => {
      await world().letTimePass(token.access_token, 3600);
      Date.now = () => realNow() + 3600_000;
    };

    it('refreshes an expired access token and saves the rotated pair over the secret', async () => {
      const {install, token} = await connect('usr_flow5');
      await anHourPasses(token);
      expect(await world().apiStatus(token.access_token)).toBe(401);
      const refreshes = world().tokenRequests('refresh_token').length;
      const view = open(contextFor(install));
      expect((await view.until(signedIn, 'Log out')).notice).toMatch(/refreshed/);
      expect(world().tokenRequests('refresh_token')).toHaveLength(refreshes + 1);
      const saved = (await findToken(secrets, install.userId)) as TokenData;
      expect(saved.refresh_token).not.toBe(token.refresh_token);
      expect(await world().apiStatus(saved.access_token)).toBe(200);
    });

    it('goes back to Authorize when the refresh token was already used', async () => {
      const {install, token} = await connect('usr_flow6');
      await anHourPasses(token);
      await open(contextFor(install)).until(signedIn, 'Log out after the refresh');
      const rotated = (await findToken(secrets, install.userId)) as TokenData;
      // Another tab kept the old pair and saves it back: its refresh token is spent.
      await saveToken(secrets, install.userId, token, Math.floor(Date.now() / 1000));
      const view = open(contextFor(install));
      expect((await view.until(signedOut, 'Authorize again')).notice).toMatch(/^Signed out: Your sign-in at .* has ended/);
      expect(await findToken(secrets, install.userId)).toBeNull();
      // Reuse of a spent refresh token ends the whole grant (RFC 9700 §4.14.2).
      expect(await world().apiStatus(rotated.access_token)).toBe(401);
    });
  });
});
