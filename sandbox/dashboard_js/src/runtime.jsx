// The Dashboard's runtime inside an app's iframe (sandbox="allow-scripts", an opaque origin, the
// manifest's CSP). It loads before the app's bundle and:
// - provides the modules a bundle leaves out (React, its JSX runtime, @remote-ui/react) through
//   `require`, so the app and the renderer share one React;
// - on the Dashboard's first message, takes the MessagePort it carries as the host endpoint the SDK
//   reaches (`__StripeExtExports.endpoint`: createOAuthState, stripeApiFetch, ...);
// - renders the view the Dashboard names into a remote root whose tree goes back over that port, and
//   hands it new props (oauthContext after a redirect) when the Dashboard sends them;
// - tells the Dashboard what the browser refused here (CSP violations) and what the app threw.
import * as React from 'react';
import * as jsxRuntime from 'react/jsx-runtime';
import * as remoteReact from '@remote-ui/react';
import {createRemoteRoot} from '@remote-ui/core';
import {createEndpoint, fromMessagePort, retain} from '@remote-ui/rpc';

const provided = {react: React, 'react/jsx-runtime': jsxRuntime, '@remote-ui/react': remoteReact};
globalThis.require = (name) => {
  if (Object.prototype.hasOwnProperty.call(provided, name)) return provided[name];
  throw new Error(`The Dashboard provides no module named ${name}: bundle it with the app.`);
};

let host = null;
const early = []; // reports from before the Dashboard's port arrived
function report(kind, detail) {
  if (host) host.call.report(kind, detail);
  else early.push([kind, detail]);
}

document.addEventListener('securitypolicyviolation', (event) => {
  report('csp', {directive: event.effectiveDirective, blocked: event.blockedURI, policy: event.originalPolicy});
});
addEventListener('error', (event) => report('error', {message: String(event.message)}));
addEventListener('unhandledrejection', (event) => report('error', {message: String(event.reason?.message ?? event.reason)}));

addEventListener('message', (event) => {
  if (event.source !== parent || event.data?.type !== 'kit:init_extension' || host) return;
  const port = event.ports[0];
  const endpoint = createEndpoint(fromMessagePort(port));
  port.start(); // a port listened to with addEventListener delivers only once started
  host = endpoint;
  early.splice(0).forEach(([kind, detail]) => endpoint.call.report(kind, detail));
  const extension = globalThis.__StripeExtExports;
  if (!extension) {
    report('error', {message: "The app's bundle did not load: no __StripeExtExports."});
    return;
  }
  extension.endpoint = endpoint; // what the SDK's getHostEndpoint() reads
  let setProps = null;
  function View({initial, component}) {
    const [props, set] = React.useState(initial);
    setProps = set;
    return React.createElement(component, props);
  }
  endpoint.expose({
    render(receive, name, props) {
      retain(receive);
      const component = extension[name];
      if (typeof component !== 'function') {
        throw new Error(`The app's bundle exports no view named ${name}.`);
      }
      const root = createRemoteRoot(receive);
      remoteReact.render(React.createElement(View, {initial: props, component}), root, () => root.mount());
    },
    update(props) {
      setProps?.(props); // the Dashboard sends props only after render() has returned
    },
  });
});
