import {useEffect, useMemo, useState} from 'react';
import {Banner, Box, Button, ContextView, Inline} from '@stripe/ui-extension-sdk/ui';
import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {createOAuthState} from '@stripe/ui-extension-sdk/oauth';
import {createHttpClient, STRIPE_API_KEY} from '@stripe/ui-extension-sdk/http_client';
import Stripe from 'stripe';

import {CodeGuard, isSession, logOut, openApp, sessionFrom, type Host, type View} from '../oauth';

// The placeholder key is what the Dashboard expects: the calls go through the user's
// Dashboard session, which decides what the app may do (its permissions, the user's scope).
const stripe = new Stripe(STRIPE_API_KEY, {httpClient: createHttpClient()});

const host: Host = {
  // Looked up at each call, not captured here: the extension's fetch, limited by connect-src.
  fetch: (url, init) => fetch(url, init),
  secrets: stripe.apps.secrets,
  createOAuthState,
  now: () => Math.floor(Date.now() / 1000),
};

// One exchange per code (stripe/stripe-apps#649). Not a ref: a ref lives as long as one
// mount, and the Dashboard mounts the view again as the user moves around while it still
// holds the old oauthContext; this lives as long as the extension's code is loaded.
const guard = new CodeGuard();

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
      sessionFrom({
        userContext: {id: userId},
        environment: {mode, constants: JSON.parse(constants)},
        appContext: {authorizedPermissions: permissions?.split(' ')},
      }),
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
    openApp(host, session, {code, verifier, error}, guard).then((next) => {
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

  return (
    <ContextView title="Example provider">
      {'notice' in view && (
        <Banner
          type={view.notice.tone === 'critical' ? 'critical' : 'default'}
          title={view.notice.tone === 'critical' ? 'Something went wrong' : undefined}
          description={view.notice.text}
        />
      )}
      <Box css={{paddingY: 'medium', stack: 'y', gap: 'medium'}}>
        {view.status === 'loading' && <Inline>Looking for your saved token…</Inline>}
        {view.status === 'signed_in' && (
          <Button type="destructive" onPress={onLogOut} pending={busy}>
            Log out
          </Button>
        )}
        {view.status === 'signed_out' && (
          <Button type="primary" href={view.link ?? undefined} target="_blank" disabled={!view.link}>
            Authorize
          </Button>
        )}
        {view.status === 'needs_permission' && (
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
