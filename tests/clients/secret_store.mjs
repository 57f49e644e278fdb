// stripe-node round-trips the sandbox's Secret Store, as a Stripe App's own backend code would.
// Run by tests/sandbox/test_clients.py: node secret_store.mjs <api base> <api key> <user id> <other user id>.
// Prints "ok - <step>" a step; a failed check throws, and the exit code is not 0.
import assert from "node:assert/strict";
import Stripe from "stripe";

const [base, apiKey, user, otherUser] = process.argv.slice(2);
const api = new URL(base); // http://127.0.0.1:<port>/stripe
// stripe-node takes a host and port but no base path: its requests are sent under the sandbox's /stripe.
const underBase = (url, init) => {
  const target = new URL(url);
  target.pathname = api.pathname + target.pathname;
  return fetch(target, init);
};
const connect = (key) =>
  new Stripe(key, {
    host: api.hostname,
    port: api.port,
    protocol: "http",
    httpClient: Stripe.createFetchHttpClient(underBase),
    maxNetworkRetries: 0,
  });
const stripe = connect(apiKey);
const scope = { type: "user", user };
const step = (name) => console.log(`ok - ${name}`);

async function rejects(promise, errorClass, status) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof errorClass, `${error.constructor.name}: ${error.message}`);
    assert.equal(error.statusCode, status);
    return error;
  }
  assert.fail(`expected a ${errorClass.name}`);
}

// Saved by stripe-python before this script ran: one store, two SDKs.
const fromPython = await stripe.apps.secrets.find({ name: "from_python", scope, expand: ["payload"] });
assert.equal(fromPython.payload, "saved by stripe-python");
step("find with expand, a secret stripe-python saved");

const created = await stripe.apps.secrets.create({ name: "from_node", payload: "saved by stripe-node", scope });
assert.equal(created.object, "apps.secret");
assert.equal(created.payload, undefined); // only when expanded
step("create");

for (let i = 0; i < 6; i++) {
  await stripe.apps.secrets.create({ name: `page_${i}`, payload: "p", scope });
}
const all = (await stripe.apps.secrets.list({ scope, limit: 100 })).data.map((s) => s.id);
assert.equal(all.length, 8);
const forwards = (await stripe.apps.secrets.list({ scope, limit: 3 }).autoPagingToArray({ limit: 100 })).map((s) => s.id);
assert.deepEqual(forwards, all);
step("list with auto-pagination forwards");

// Backwards from the last secret: every one before it, nearest first.
const backwards = await stripe.apps.secrets
  .list({ scope, limit: 3, ending_before: all[all.length - 1] })
  .autoPagingToArray({ limit: 100 });
assert.deepEqual(
  backwards.map((s) => s.id),
  all.slice(0, -1).reverse(),
);
step("list with auto-pagination backwards");

for (let i = 0; i < 6; i++) {
  const deleted = await stripe.apps.secrets.deleteWhere({ name: `page_${i}`, scope });
  assert.equal(deleted.deleted, true);
}
step("deleteWhere");

const missing = await rejects(
  stripe.apps.secrets.find({ name: "page_0", scope }),
  Stripe.errors.StripeInvalidRequestError,
  404,
);
assert.equal(missing.code, "resource_missing");
await rejects(stripe.apps.secrets.list({ scope, limit: 0 }), Stripe.errors.StripeInvalidRequestError, 400);
await rejects(stripe.rawRequest("GET", "/v1/apps/secret", {}), Stripe.errors.StripeInvalidRequestError, 404);
await rejects(
  stripe.apps.secrets.create({ name: "x", payload: "p", scope: { type: "user", user: otherUser } }),
  Stripe.errors.StripePermissionError,
  403,
);
await rejects(
  connect(`sk_test_${"0".repeat(32)}`).apps.secrets.list({ scope }),
  Stripe.errors.StripeAuthenticationError,
  401,
);
step("each error class");
