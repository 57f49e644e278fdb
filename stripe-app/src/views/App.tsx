import {useEffect, useMemo, useState} from 'react';
import {Banner, Box, Button, ContextView, Inline, Spinner} from '@stripe/ui-extension-sdk/ui';
import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {createOAuthState} from '@stripe/ui-extension-sdk/oauth';
import {createHttpClient, STRIPE_API_KEY} from '@stripe/ui-extension-sdk/http_client';
import Stripe from 'stripe';

import {isSession, logOut, newGuards, openApp, sessionFrom, type Host, type View} from '../oauth';

// The placeholder key is what the Dashboard expects: the calls go through the user's
// Dashboard session, which decides what the app may do (its permissions, the user's scope).
// The cast is the one Stripe's "Store secrets" page writes: the SDK's client implements the
// HttpClient of the stripe-node it was built against.
const stripe = new Stripe(STRIPE_API_KEY, {httpClient: createHttpClient() as Stripe.HttpClient});

const host: Host = {
  // Looked up at each call, not captured here: the extension's fetch, limited by connect-src.
  fetch: (url, init) => fetch(url, init),
  secrets: stripe.apps.secrets,
  createOAuthState,
  now: () => Math.floor(Date.now() / 1000),
};

// One exchange per code (stripe/stripe-apps#649) and one refresh per user. Not a ref: a ref
// lives as long as one mount, and the Dashboard mounts the view again as the user moves around
// while it still holds the old oauthContext; these live as long as the extension's code is loaded.
const guards = newGuards();

// `stripe apps start` builds for development, `stripe apps upload` for production: only a
// developer is shown CLI commands.
const DEVELOPMENT = process.env.NODE_ENV !== 'production';

/** The drawer view: it shows the flow's View; src/oauth.ts decides what that is. */
const App = ({userContext, environment, appContext, oauthContext}: ExtensionContextValue) => {
  // Rebuilt only when what it is made of changes (the Dashboard may hand equal props as new
  // objects), so the effect below runs on real changes only.
  const userId = userContext?.id;
  const {mode} = environment;
  const constants = JSON.stringify(environment.constants ?? null);
  const permissions = appContext.authorizedPermissions?.join(' ');
  const session = useMemo(
    () =>
      sessionFrom(
        {
          userContext: {id: userId},
          environment: {mode, constants: JSON.parse(constants)},
          appContext: {authorizedPermissions: permissions?.split(' ')},
        },
        DEVELOPMENT,
      ),
    [userId, mode, constants, permissions],
  );
  const [view, setView] = useState<View>({status: 'loading'});
  const [busy, setBusy] = useState(false);
  const {code, verifier, error} = oauthContext ?? {};

  useEffect(() => {
    if (!isSession(session)) {
      setView(session);
      return;
    }
    let current = true;
    setView({status: 'loading'}); // what was shown belongs to the props before
    openApp(host, session, {code, verifier, error}, guards).then((next) => {
      if (current) setView(next);
    });
    return () => {
      current = false;
    };
  }, [session, code, verifier, error]);

  const onLogOut = async () => {
    if (view.status !== 'signed_in' || !isSession(session)) return;
    setBusy(true);
    setView(await logOut(host, session, view.token));
    setBusy(false);
  };

  const provider = isSession(session) ? session.config.providerName : 'the provider';
  return (
    <ContextView title={`Connect ${provider}`}>
      {'notice' in view && (
        <Banner
          type={view.notice.tone === 'critical' ? 'critical' : 'default'}
          title={view.notice.title}
          description={view.notice.text}
        />
      )}
      <Box css={{paddingY: 'medium', stack: 'y', gap: 'medium'}}>
        {view.status === 'loading' && (
          <Box css={{stack: 'x', gap: 'small', alignY: 'center'}}>
            <Spinner size="small" />
            <Inline>Looking for your saved sign-in…</Inline>
          </Box>
        )}
        {view.status === 'signed_in' && view.account && (
          <Inline>
            Signed in as {view.account.name ?? 'an unnamed user'}
            {view.account.email ? ` (${view.account.email})` : ''}
          </Inline>
        )}
        {view.status === 'signed_in' && (
          <Button type="destructive" onPress={onLogOut} pending={busy}>
            Log out of {provider}
          </Button>
        )}
        {view.status === 'signed_out' && (
          <Box css={{stack: 'y', gap: 'small'}}>
            <Button type="primary" href={view.link ?? undefined} target="_blank" disabled={!view.link}>
              Authorize at {provider}
            </Button>
            <Inline css={{font: 'caption'}}>Opens {provider} in a new tab; come back here once you have allowed access.</Inline>
          </Box>
        )}
        {view.status === 'needs_permission' && view.command && (
          <Box>
            <Inline>Grant it, then upload or restart the app:</Inline>
            <Box css={{font: 'caption', fontFamily: 'monospace'}}>{view.command}</Box>
          </Box>
        )}
      </Box>
    </ContextView>
  );
};

export default App;
