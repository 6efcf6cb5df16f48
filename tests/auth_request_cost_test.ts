// The per-request work of the auth layer: a batch token's grants are read
// once per token, the Basic value is built once per credential, a request
// with credentials replaces the registry client's own (no second abort
// controller), a cached token is used without waiting on the signal, and
// host and path are read from the request's URL as `new URL` gives them.

import assert from "node:assert/strict";
import { RegistryClient } from "../lib/registry/client.ts";
import { TokenPrefetch } from "../lib/auth/_prefetch.ts";
import { TokenCache } from "../lib/auth/token_cache.ts";
import { urlParts } from "../lib/transport/url_parts.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

function manifestHead(): Response {
  return new Response(null, {
    headers: {
      "docker-content-digest": DIGEST,
      "content-type": "application/vnd.oci.image.manifest.v1+json",
    },
  });
}

/** How often `name` of `target` is called while `work` runs. */
async function callsOf<T extends object>(
  target: T,
  name: keyof T,
  work: () => Promise<unknown>,
): Promise<number> {
  const original = target[name] as (...args: unknown[]) => unknown;
  let calls = 0;
  (target as Record<keyof T, unknown>)[name] = function (
    this: unknown,
    ...args: unknown[]
  ) {
    calls++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    (target as Record<keyof T, unknown>)[name] = original;
  }
  return calls;
}

function jwt(names: string[]): string {
  const part = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "");
  const access = names.map((name) => ({
    type: "repository",
    name,
    actions: ["pull"],
  }));
  return [part({ alg: "RS256" }), part({ access }), "sig"].join(".");
}

Deno.test("TokenPrefetch reads the grants of a batch token once for all its scopes", async () => {
  const cache = new TokenCache();
  const asked: string[][] = [];
  const prefetch = new TokenPrefetch({
    cache,
    bearer: () => ({ realm: "https://auth.io/token", service: "reg.io" }),
    noTokens: () => false,
    who: () => Promise.resolve({ id: "anonymous" }),
    request: (scopes) => {
      asked.push(scopes);
      return Promise.resolve({ token: jwt(["a", "b", "c"]) });
    },
    debug: () => {},
  });
  const key = (name: string) => ({
    realm: "https://auth.io/token",
    service: "reg.io",
    scopes: [`repository:${name}:pull`],
    identity: "anonymous",
  });
  const decodes = await callsOf(globalThis, "atob", async () => {
    prefetch.want(["a", "b", "c"]);
    await prefetch.demand("repository:a:pull");
    const fail = () => Promise.reject(new Error("not batched"));
    await Promise.all(
      ["a", "b", "c"].map((name) => cache.get(key(name), fail)),
    );
  });
  assert.equal(decodes, 1);
  assert.deepEqual(asked, [[
    "repository:a:pull",
    "repository:b:pull",
    "repository:c:pull",
  ]]);
});

Deno.test("TokenPrefetch asks again, one scope a request, for the scopes a narrowed batch token does not grant", async () => {
  const cache = new TokenCache();
  const asked: string[][] = [];
  const prefetch = new TokenPrefetch({
    cache,
    bearer: () => ({ realm: "https://auth.io/token" }),
    noTokens: () => false,
    who: () => Promise.resolve({ id: "anonymous" }),
    request: (scopes) => {
      asked.push(scopes);
      const names = scopes.map((scope) => scope.split(":")[1]!);
      return Promise.resolve({ token: jwt(names.slice(0, 1)) });
    },
    debug: () => {},
  });
  const key = (name: string) => ({
    realm: "https://auth.io/token",
    scopes: [`repository:${name}:pull`],
    identity: "anonymous",
  });
  prefetch.want(["a", "b", "c"]);
  await prefetch.demand("repository:a:pull");
  const fail = () => Promise.reject(new Error("not prefetched"));
  const tokens = await Promise.all(
    ["a", "b", "c"].map((name) => cache.get(key(name), fail)),
  );
  assert.deepEqual(asked, [
    ["repository:a:pull", "repository:b:pull", "repository:c:pull"],
    ["repository:b:pull"],
    ["repository:c:pull"],
  ]);
  assert.deepEqual(tokens, [jwt(["a"]), jwt(["b"]), jwt(["c"])]);
});

function basicRegistry(seen: (string | null)[]) {
  return (request: Request) => {
    if (request.url.startsWith("https:")) {
      return Promise.reject(
        new TypeError("received corrupt message of type InvalidContentType"),
      );
    }
    const authorization = request.headers.get("authorization");
    seen.push(authorization);
    return Promise.resolve(
      authorization === null
        ? new Response(null, {
          status: 401,
          headers: { "www-authenticate": 'Basic realm="reg"' },
        })
        : manifestHead(),
    );
  };
}

Deno.test("the auth layer builds the Basic value once for all requests of a credential", async () => {
  const seen: (string | null)[] = [];
  const client = new RegistryClient("reg.test", {
    tlsVerify: false,
    credential: () => Promise.resolve({ username: "u", password: "p" }),
    fetch: basicRegistry(seen),
  });
  await client.resolveManifest("a", "1"); // learns http and Basic
  const encodes = await callsOf(globalThis, "btoa", async () => {
    for (const tag of ["2", "3", "4"]) await client.resolveManifest("a", tag);
  });
  assert.equal(encodes, 0);
  assert.deepEqual(seen.slice(-3), Array(3).fill(`Basic ${btoa("u:p")}`));
});

Deno.test("a request with credentials takes the place of the client's own: two abort controllers per HEAD", async () => {
  const client = new RegistryClient("reg.test", {
    tlsVerify: false,
    credential: () => Promise.resolve({ username: "u", password: "p" }),
    fetch: basicRegistry([]),
  });
  await client.resolveManifest("a", "1");
  const Original = globalThis.AbortController;
  let made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
  try {
    await client.resolveManifest("a", "2");
  } finally {
    globalThis.AbortController = Original;
  }
  // the client's request, and the attempt's own signal
  assert.equal(made, 2);
});

Deno.test("a cached Bearer token is used without waiting on the request's signal", async () => {
  const token = jwt(["a"]);
  const client = new RegistryClient("reg.test", {
    fetch: (request) => {
      if (request.url.startsWith("https://auth.test/")) {
        return Promise.resolve(Response.json({ token, expires_in: 300 }));
      }
      if (request.headers.get("authorization") === `Bearer ${token}`) {
        return Promise.resolve(manifestHead());
      }
      return Promise.resolve(
        new Response(null, {
          status: 401,
          headers: {
            "www-authenticate":
              'Bearer realm="https://auth.test/token",service="reg.test"',
          },
        }),
      );
    },
  });
  const anonymous = new RegistryClient("anon.test", {
    fetch: () => Promise.resolve(manifestHead()),
  });
  await client.resolveManifest("a", "1");
  await anonymous.resolveManifest("a", "1");
  const listeners = (work: () => Promise<unknown>) =>
    callsOf(AbortSignal.prototype, "addEventListener", work);
  const once = await listeners(() => client.resolveManifest("a", "2"));
  const twice = await listeners(async () => {
    await client.resolveManifest("a", "3");
    await client.resolveManifest("a", "4");
  });
  // The attempt's signal follows the client's, and the deadline queues
  // listen to their timers: as many as for a registry without auth. None
  // waits for the token.
  const plain = await listeners(() => anonymous.resolveManifest("a", "2"));
  assert.equal(once, plain);
  assert.equal(twice, 2 * plain);
});

Deno.test("urlParts() reads host and path of a request URL as new URL() does", () => {
  for (
    const url of [
      "https://reg.io/v2/a/b/manifests/1",
      "http://127.0.0.1:5000/v2/",
      "https://[::1]:5000/v2/a/manifests/sha256:ab?x=1#y",
      "https://reg.io/v2/a/blobs/1#frag?not-a-query",
      "https://reg.io:443/v2/",
      "http://REG.IO/v2/%41/manifests/1",
    ]
  ) {
    const request = new Request(url);
    const parsed = new URL(request.url);
    assert.deepEqual(urlParts(request.url), {
      host: parsed.host,
      pathname: parsed.pathname,
    });
  }
});
