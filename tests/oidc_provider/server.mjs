// panva's oidc-provider as "your own provider" for the tests of notebook 10.
//
// It listens on 127.0.0.1 on a port the OS picks, and prints one JSON line, {"issuer": ...},
// once it answers. Its issuer has a path (/oidc), as a multi-tenant provider's often does, so
// discovery has to follow RFC 8414 section 5 to find it: this server publishes its metadata
// appended to the issuer (/oidc/.well-known/...), the OpenID Connect Discovery way, and nothing
// at the RFC 8414 section 3.1 locations (/.well-known/oauth-authorization-server/oidc).
//
// What the kit needs of a provider, switched on here: open dynamic registration (RFC 7591),
// PKCE required of every client (RFC 7636, S256 only), revocation (RFC 7009), and the
// development login and consent pages, which accept any login and password. A client
// registered with application_type "native" may use a loopback redirect URI on any port
// (RFC 8252 section 7.3); oidc-provider does that matching itself.
//
// Everything else is oidc-provider's default, development keys and in-memory storage included.
import http from 'node:http';

import Provider from 'oidc-provider';

const MOUNT = '/oidc';

const server = http.createServer();

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}${MOUNT}`;
  const provider = new Provider(issuer, {
    features: {
      registration: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: true },
    },
    pkce: { required: () => true },
    // A refresh token for every client that registered the refresh_token grant. By default
    // oidc-provider issues one only for the offline_access scope requested with prompt=consent
    // (OpenID Connect Core 1.0 section 11), which the kit's link does not send.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Test-only cookie signing keys: this server lives for one test session on 127.0.0.1.
    cookies: { keys: ['kit-tests-only'] },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url === MOUNT || req.url.startsWith(`${MOUNT}/`) || req.url.startsWith(`${MOUNT}?`)) {
      // oidc-provider reads its mount path from originalUrl minus url (as under express).
      req.originalUrl = req.url;
      req.url = req.url.slice(MOUNT.length) || '/';
      callback(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
