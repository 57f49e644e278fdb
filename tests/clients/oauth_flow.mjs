// oauth4webapi, a strict RFC client, drives the sandbox's provider through a whole PKCE flow.
// Run by tests/sandbox/test_clients.py: node oauth_flow.mjs <issuer>. Prints "ok - <step>" a step;
// a failed check throws, and the exit code is not 0.
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";

const issuer = new URL(process.argv[2]);
// The sandbox is plain http on 127.0.0.1; oauth4webapi sends to http URLs only when told to.
const http = { [oauth.allowInsecureRequests]: true };
const redirectUri = "http://127.0.0.1/callback"; // never opened: the redirect is read from the provider's answer
const step = (name) => console.log(`ok - ${name}`);

async function rejects(promise, check) {
  try {
    await promise;
  } catch (error) {
    check(error);
    return;
  }
  assert.fail("expected a rejection");
}

// RFC 8414 3.1: the metadata of the issuer http://host/provider, found from the issuer alone.
const as = await oauth.processDiscoveryResponse(
  issuer,
  await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...http }),
);
assert.deepEqual(as.code_challenge_methods_supported, ["S256"]);
step("discovery by issuer");

const client = await oauth.processDynamicClientRegistrationResponse(
  await oauth.dynamicClientRegistrationRequest(
    as,
    { client_name: "oauth4webapi", redirect_uris: [redirectUri], grant_types: ["authorization_code", "refresh_token"] },
    http,
  ),
);
assert.equal(client.token_endpoint_auth_method, "none"); // a default, echoed (RFC 7591 3.2.1)
const none = oauth.None();
step("registration");

// The user at the consent page: load it, press a button, read where the provider sends the browser.
async function authorize(decision) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const link = new URL(as.authorization_endpoint);
  link.search = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: "account.read",
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
  });
  const page = await fetch(link);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /id="consent-form"/);
  const answer = await fetch(link, { method: "POST", body: new URLSearchParams({ decision }), redirect: "manual" });
  assert.equal(answer.status, 302);
  return { verifier, state, callback: new URL(answer.headers.get("location")) };
}

async function exchange() {
  const { verifier, state, callback } = await authorize("approve");
  const parameters = oauth.validateAuthResponse(as, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, none, parameters, redirectUri, verifier, http);
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

const refresh = async (token) =>
  oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, none, token, http));

const me = new URL(`${issuer.href}/api/me`);
const callApi = async (token) => (await oauth.protectedResourceRequest(token, "GET", me, undefined, null, http)).json();
const invalidToken = (error) => {
  assert.ok(error instanceof oauth.WWWAuthenticateChallengeError, error);
  assert.equal(error.cause[0].parameters.error, "invalid_token");
};
const invalidGrant = (error) => {
  assert.ok(error instanceof oauth.ResponseBodyError, error);
  assert.equal(error.error, "invalid_grant");
};

const denied = await authorize("deny");
assert.throws(
  () => oauth.validateAuthResponse(as, client, denied.callback, denied.state),
  (error) => error instanceof oauth.AuthorizationResponseError && error.error === "access_denied",
);
step("deny, with state");

const tokens = await exchange();
assert.equal(tokens.token_type, "bearer");
assert.equal(tokens.scope, "account.read");
step("PKCE with state, code exchange");

assert.equal((await callApi(tokens.access_token)).email, "ada@example.com");
step("protected API");

const rotated = await refresh(tokens.refresh_token);
assert.notEqual(rotated.refresh_token, tokens.refresh_token);
assert.equal((await callApi(rotated.access_token)).scope, "account.read");
step("refresh with rotation");

// RFC 9700 4.14.2: the old refresh token coming back ends the grant, the newest tokens included.
await rejects(refresh(tokens.refresh_token), invalidGrant);
await rejects(callApi(rotated.access_token), invalidToken);
step("reuse of an old refresh token ends the grant");

const other = await exchange();
await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, none, other.access_token, http));
await rejects(callApi(other.access_token), invalidToken);
await rejects(refresh(other.refresh_token), invalidGrant);
step("revocation");
