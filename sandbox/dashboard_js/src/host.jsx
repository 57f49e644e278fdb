// The sandbox's Dashboard page: it runs an app's view as the Stripe Dashboard does.
//
// The app's code runs in an iframe sandboxed with allow-scripts only (an opaque origin, so every
// fetch it makes says `Origin: null`), under the CSP the sandbox built from the manifest. What it
// renders comes back over a MessagePort as a remote-ui tree, which this page draws with its own
// HTML for the UI kit's components the kit's app uses (Stripe's own renderer is not public). The
// page answers the SDK's calls as the Dashboard does: createOAuthState and the Secret Store
// through the Dashboard session (here: the install's key, which never enters the iframe), and it
// hands the view oauthContext once the provider's redirect reached the Dashboard's landing.
import {useMemo} from 'react';
import {createRoot} from 'react-dom/client';
import {createRemoteReceiver} from '@remote-ui/core';
import {RemoteRenderer, createController} from '@remote-ui/react/host';
import {createEndpoint, fromMessagePort} from '@remote-ui/rpc';

// The SDK's placeholder key: the Dashboard refuses any other (and sends the session's own instead).
const PLACEHOLDER = 'Bearer DO_NOT_PASS_A_REAL_API_KEY';
const POLL_MS = 500;
const page = document.getElementById('kit-dashboard');
const urls = JSON.parse(page.dataset.urls);

function log(kind, text) {
  const list = document.getElementById('kit-refusals');
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = text;
  list.append(item);
  list.closest('section').hidden = false;
}

// ---------------------------------------------------------------------------------------------
// The UI kit's components, as this page draws them

const SPACE = {xxsmall: '2px', xsmall: '4px', small: '8px', medium: '16px', large: '24px', xlarge: '32px'};

function boxStyle(css = {}) {
  const style = {};
  if (css.stack) {
    style.display = 'flex';
    style.flexDirection = css.stack === 'x' ? 'row' : 'column';
  }
  if (css.gap) style.gap = SPACE[css.gap] ?? css.gap;
  if (css.alignY === 'center') style.alignItems = 'center';
  for (const [name, sides] of [
    ['padding', ['Top', 'Right', 'Bottom', 'Left']],
    ['paddingY', ['Top', 'Bottom']],
    ['paddingX', ['Left', 'Right']],
    ['margin', ['Top', 'Right', 'Bottom', 'Left']],
  ]) {
    if (css[name]) sides.forEach((side) => (style[`${name.startsWith('padding') ? 'padding' : 'margin'}${side}`] = SPACE[css[name]]));
  }
  if (css.font === 'caption') style.fontSize = '12px';
  if (css.font === 'heading') style.fontWeight = 600;
  if (css.fontFamily === 'monospace') style.fontFamily = 'ui-monospace, monospace';
  return style;
}

const components = {
  ContextView: ({title, children}) => (
    <section className="drawer-view" data-component="ContextView">
      <header>
        <h2>{title}</h2>
      </header>
      <div className="drawer-body">{children}</div>
    </section>
  ),
  Banner: ({type, title, description}) => (
    <div className={`banner banner-${type ?? 'default'}`} role="status" data-component="Banner">
      {title && <strong className="banner-title">{title}</strong>}
      {description && <p className="banner-description">{description}</p>}
    </div>
  ),
  Box: ({css, children}) => (
    <div style={boxStyle(css)} data-component="Box">
      {children}
    </div>
  ),
  Inline: ({css, children}) => (
    <span style={boxStyle(css)} data-component="Inline">
      {children}
    </span>
  ),
  Button: ({type, href, target, onPress, disabled, pending, children}) =>
    href !== undefined || target ? (
      <a
        className={`button button-${type ?? 'secondary'}`}
        data-component="Button"
        href={disabled ? undefined : href}
        target={target}
        rel="noopener"
        aria-disabled={disabled ? 'true' : undefined}
        onClick={() => onPress?.()}
      >
        {children}
      </a>
    ) : (
      <button
        type="button"
        className={`button button-${type ?? 'secondary'}`}
        data-component="Button"
        disabled={Boolean(disabled || pending)}
        onClick={() => onPress?.()}
      >
        {pending ? '…' : children}
      </button>
    ),
  Link: ({href, target, children}) => (
    <a href={href} target={target} rel="noopener" data-component="Link">
      {children}
    </a>
  ),
  Spinner: () => <span className="spinner" role="progressbar" aria-label="Loading" data-component="Spinner" />,
};

function renderComponent(props, {renderDefault}) {
  if (components[props.component.type]) return renderDefault();
  return (
    <div className="unsupported" key={props.key}>
      The kit's Dashboard does not draw {props.component.type}; Stripe's does.
    </div>
  );
}

function Drawer({receiver}) {
  const controller = useMemo(() => createController(components, {renderComponent}), []);
  return <RemoteRenderer receiver={receiver} controller={controller} />;
}

// ---------------------------------------------------------------------------------------------
// The Dashboard's side of the SDK's calls

async function dashboardCall(session, path, init = {}) {
  const response = await fetch(`${urls.dashboard}${path}`, {
    ...init,
    headers: {...init.headers, Authorization: `Bearer ${session.api_key}`},
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}

function platform(session) {
  const connectSrc = session.manifest.ui_extension?.content_security_policy?.['connect-src'] ?? [];
  return {
    createOAuthState: (state = '') =>
      dashboardCall(session, '/api/oauth_state', {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({state}),
      }),
    supportsFetchAppEmbeddedKey: async () => false,
    getUserAuthorizedPermissions: async () => session.permissions,
    isPermissionAuthorized: async (name) => session.permissions.includes(name),
    isSourceInAuthorizedCSP: async (url) =>
      connectSrc.some((entry) => (entry.endsWith('/') ? url.startsWith(entry) : url === entry)),
    async stripeApiFetch(path, init = {}) {
      const headers = {...init.headers};
      if (headers.Authorization !== PLACEHOLDER) {
        throw new Error("The app sent a key of its own: UI extensions pass the SDK's STRIPE_API_KEY placeholder.");
      }
      headers.Authorization = `Bearer ${session.api_key}`;
      const response = await fetch(`${urls.stripe}${path}`, {method: init.method, headers, body: init.body});
      const responseHeaders = {};
      response.headers.forEach((value, name) => (responseHeaders[name] = value));
      const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
      return {
        json: isJson ? await response.json() : undefined,
        headers: responseHeaders,
        ok: response.ok,
        redirected: response.redirected,
        status: response.status,
        statusText: response.statusText,
        type: response.type,
        url: response.url,
      };
    },
    report(kind, detail) {
      if (kind === 'csp') {
        log('csp', `Content Security Policy: ${detail.directive} refused ${detail.blocked}.`);
      } else {
        log('error', `The app: ${detail.message}`);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Start: the session, the iframe, the view, then oauthContext when it arrives

async function start() {
  const session = await (await fetch(urls.session)).json();
  if (session.error) {
    log('error', session.error.message);
    return;
  }
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = `${session.manifest.name}: the app's code`;
  frame.className = 'extension-frame';
  frame.src = urls.frame;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, {once: true}));
  document.getElementById('kit-frames').append(frame);
  await loaded;

  const channel = new MessageChannel();
  const endpoint = createEndpoint(fromMessagePort(channel.port1));
  channel.port1.start(); // a port listened to with addEventListener delivers only once started
  endpoint.expose(platform(session));
  // The iframe's origin is opaque: a message reaches it only with the target origin '*'.
  frame.contentWindow.postMessage({type: 'kit:init_extension'}, '*', [channel.port2]);

  const receiver = createRemoteReceiver();
  createRoot(document.getElementById('kit-drawer')).render(<Drawer receiver={receiver} />);
  let props = {
    userContext: {id: session.user_id, account: {id: session.account_id, country: 'US', isSandbox: true}, locale: 'en-US'},
    environment: {mode: session.mode, viewportID: session.viewport, constants: session.manifest.constants ?? undefined},
    appContext: {
      authorizedPermissions: session.permissions,
      authorizedContentSecurityPolicy: {connectSrc: connectSrcOf(session), imageSrc: null},
    },
  };
  await endpoint.call.render(receiver.receive, session.component, props);
  page.dataset.state = 'rendered';

  // The Dashboard hands oauthContext to the view once the redirect reached its landing.
  setInterval(async () => {
    const {oauth_context: context} = await dashboardCall(session, '/api/oauth_context');
    if (context) {
      const oauthContext = Object.fromEntries(Object.entries(context).filter(([, value]) => value !== null));
      props = {...props, oauthContext};
      await endpoint.call.update(props);
    }
  }, POLL_MS);
}

function connectSrcOf(session) {
  return session.manifest.ui_extension?.content_security_policy?.['connect-src'] ?? null;
}

start().catch((error) => log('error', `The Dashboard page: ${error.message}`));
