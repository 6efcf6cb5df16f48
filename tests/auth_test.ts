import assert from "node:assert/strict";
import { withAuth } from "../lib/auth/auth.ts";
import { loginHint } from "../lib/auth/credentials.ts";
import { RegistryError } from "../lib/errors.ts";
import type { Fetch } from "../lib/transport/fetch.ts";
import { TokenCache } from "../lib/auth/token_cache.ts";

const PASSWORD = "s3cr3t-pa55";

interface FakeOptions {
  /** Auth scheme the registry asks for. */
  scheme?: "bearer" | "basic";
  /** Realm announced in the Bearer challenge. */
  realm?: string;
  /** Repositories only "alice" may pull. */
  privateRepos?: string[];
  /** Status the token endpoint answers with (200 = tokens). */
  tokenStatus?: number;
  /** `expires_in` of tokens. */
  expiresIn?: number;
}

/**
 * A fake registry with a token server. Tokens are "tok<n>" and grant the scope
 * they were issued for; user "alice" with PASSWORD (or identity token "idt") may
 * pull private repositories. `log` gets "METHOD path auth" per request.
 */
function fakeRegistry(options: FakeOptions = {}) {
  const log: string[] = [];
  const granted = new Map<string, string>();
  const revoked = new Set<string>();
  const realm = options.realm ?? "https://auth.io/token";
  let issued = 0;
  const isAlice = (header: string | null) =>
    header === `Basic ${btoa(`alice:${PASSWORD}`)}`;
  const handler: Fetch = async (request) => {
    await Promise.resolve();
    const url = new URL(request.url);
    const authorization = request.headers.get("authorization");
    const how = authorization === null
      ? "none"
      : authorization.split(" ")[0]!.toLowerCase();
    log.push(
      `${request.method} ${url.host}${url.pathname}${url.search} ${how}`,
    );
    if (url.pathname === "/token") {
      if (options.tokenStatus && options.tokenStatus !== 200) {
        return Response.json({
          errors: [{ code: "UNAUTHORIZED", message: "bad" }],
        }, { status: options.tokenStatus });
      }
      let user = "anonymous";
      let scope = url.searchParams.get("scope") ?? "";
      if (request.method === "POST") {
        const form = new URLSearchParams(await request.text());
        if (
          form.get("grant_type") !== "refresh_token" ||
          form.get("refresh_token") !== "idt"
        ) {
          return new Response("invalid grant", { status: 401 });
        }
        user = "alice";
        scope = form.get("scope") ?? "";
      } else if (authorization !== null) {
        if (!isAlice(authorization)) {
          return new Response("wrong password", { status: 401 });
        }
        user = "alice";
      }
      const repo = /^repository:(.+):pull$/.exec(scope)?.[1] ?? "";
      const allowed = !options.privateRepos?.includes(repo) || user === "alice";
      const token = `tok${++issued}`;
      granted.set(token, allowed ? scope : "");
      const body: Record<string, unknown> = { token };
      if (options.expiresIn !== undefined) body.expires_in = options.expiresIn;
      return Response.json(body);
    }
    const repo = /^\/v2\/(.+)\/manifests\//.exec(url.pathname)?.[1] ?? "";
    const scope = `repository:${repo}:pull`;
    if (options.scheme === "basic") {
      if (isAlice(authorization)) return new Response("manifest");
      return new Response(null, {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="Registry Realm"' },
      });
    }
    const token = authorization?.startsWith("Bearer ")
      ? authorization.slice(7)
      : "";
    if (repo === "forbidden") return new Response(null, { status: 403 });
    if (token && !revoked.has(token) && granted.get(token) === scope) {
      return new Response("manifest");
    }
    return new Response(null, {
      status: 401,
      headers: {
        "www-authenticate":
          `Bearer realm="${realm}",service="reg.io",scope="${scope}"`,
      },
    });
  };
  return { handler, log, revoke: (token: string) => revoked.add(token) };
}

const alice = () => Promise.resolve({ username: "alice", password: PASSWORD });
const get = (fetch: Fetch, path: string) =>
  fetch(new Request(`https://reg.io${path}`));

Deno.test("withAuth() fetches an anonymous token and retries with it", async () => {
  const registry = fakeRegistry();
  const response = await get(
    withAuth(registry.handler),
    "/v2/library/nginx/manifests/1",
  );
  assert.equal(await response.text(), "manifest");
  assert.deepEqual(registry.log, [
    "GET reg.io/v2/library/nginx/manifests/1 none",
    "GET auth.io/token?service=reg.io&scope=repository%3Alibrary%2Fnginx%3Apull none",
    "GET reg.io/v2/library/nginx/manifests/1 bearer",
  ]);
});

Deno.test("withAuth() sends Basic credentials to an https realm", async () => {
  const registry = fakeRegistry({ privateRepos: ["team/app"] });
  const response = await get(
    withAuth(registry.handler, { credential: alice }),
    "/v2/team/app/manifests/1",
  );
  assert.equal(await response.text(), "manifest");
  assert.equal(
    registry.log[1],
    "GET auth.io/token?service=reg.io&scope=repository%3Ateam%2Fapp%3Apull basic",
  );
});

Deno.test("withAuth() sends Basic to a plain http realm only on loopback", async () => {
  const loopback = fakeRegistry({ realm: "http://127.0.0.1:9/token" });
  const ok = await withAuth(loopback.handler, { credential: alice })(
    new Request("http://127.0.0.1:9/v2/a/manifests/1"),
  );
  assert.equal(await ok.text(), "manifest");
  assert.equal(
    loopback.log[1],
    "GET 127.0.0.1:9/token?service=reg.io&scope=repository%3Aa%3Apull basic",
  );
  const remote = fakeRegistry({ realm: "http://auth.io/token" });
  const error = await withAuth(remote.handler, { credential: alice })(
    new Request("http://reg.io/v2/a/manifests/1"),
  )
    .catch((e) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(error.kind, "unauthorized");
  assert.equal(
    error.message,
    'Refusing to send the credentials for "reg.io" to "http://auth.io": the token endpoint is not https',
  );
  assert.equal(remote.log.length, 1);
});

Deno.test("withAuth() refuses a realm that downgrades https to http", async () => {
  const registry = fakeRegistry({ realm: "http://auth.io/token" });
  const error = await get(withAuth(registry.handler), "/v2/a/manifests/1")
    .catch((e) => e);
  assert.equal(error.kind, "unauthorized");
  assert.equal(
    error.message,
    'Refusing the token realm "http://auth.io" of "reg.io": it downgrades https to http',
  );
  assert.equal(registry.log.length, 1);
});

Deno.test("withAuth() reuses a token: a second image in the same repository costs one request", async () => {
  const registry = fakeRegistry({ expiresIn: 300 });
  const fetch = withAuth(registry.handler);
  await (await get(fetch, "/v2/library/nginx/manifests/1")).text();
  assert.equal(registry.log.length, 3);
  await (await get(fetch, "/v2/library/nginx/manifests/2")).text();
  assert.deepEqual(registry.log.slice(3), [
    "GET reg.io/v2/library/nginx/manifests/2 bearer",
  ]);
  await (await get(fetch, "/v2/library/redis/manifests/1")).text();
  assert.deepEqual(registry.log.slice(4), [
    "GET auth.io/token?service=reg.io&scope=repository%3Alibrary%2Fredis%3Apull none",
    "GET reg.io/v2/library/redis/manifests/1 bearer",
  ]);
});

Deno.test("withAuth() shares one token fetch between concurrent requests", async () => {
  const registry = fakeRegistry({ expiresIn: 300 });
  const fetch = withAuth(registry.handler);
  const bodies = await Promise.all(
    [1, 2, 3, 4, 5].map(async (n) =>
      await (await get(fetch, `/v2/a/manifests/${n}`)).text()
    ),
  );
  assert.deepEqual(bodies, [
    "manifest",
    "manifest",
    "manifest",
    "manifest",
    "manifest",
  ]);
  assert.equal(
    registry.log.filter((line) => line.includes("/token")).length,
    1,
  );
});

Deno.test("withAuth() fetches a new token up front when the cached one is about to expire", async () => {
  let now = 0;
  const registry = fakeRegistry({ expiresIn: 60 });
  const fetch = withAuth(registry.handler, {
    cache: new TokenCache({ now: () => now }),
  });
  await (await get(fetch, "/v2/a/manifests/1")).text();
  now = 29_000;
  await (await get(fetch, "/v2/a/manifests/1")).text();
  assert.equal(registry.log.length, 4);
  now = 31_000;
  await (await get(fetch, "/v2/a/manifests/1")).text();
  assert.deepEqual(registry.log.slice(4), [
    "GET auth.io/token?service=reg.io&scope=repository%3Aa%3Apull none",
    "GET reg.io/v2/a/manifests/1 bearer",
  ]);
});

Deno.test("withAuth() replaces a token the registry rejects", async () => {
  const registry = fakeRegistry({ expiresIn: 300 });
  const fetch = withAuth(registry.handler);
  await (await get(fetch, "/v2/a/manifests/1")).text();
  registry.revoke("tok1");
  const response = await get(fetch, "/v2/a/manifests/1");
  assert.equal(await response.text(), "manifest");
  assert.deepEqual(registry.log.slice(3), [
    "GET reg.io/v2/a/manifests/1 bearer",
    "GET auth.io/token?service=reg.io&scope=repository%3Aa%3Apull none",
    "GET reg.io/v2/a/manifests/1 bearer",
  ]);
});

Deno.test("withAuth() exchanges an identity token with an OAuth2 refresh_token POST", async () => {
  const registry = fakeRegistry({ privateRepos: ["team/app"] });
  const fetch = withAuth(registry.handler, {
    credential: () => Promise.resolve({ identityToken: "idt" }),
  });
  assert.equal(
    await (await get(fetch, "/v2/team/app/manifests/1")).text(),
    "manifest",
  );
  assert.equal(registry.log[1], "POST auth.io/token none");
});

Deno.test("withAuth() answers a Basic challenge and then sends Basic up front", async () => {
  const registry = fakeRegistry({ scheme: "basic" });
  const fetch = withAuth(registry.handler, { credential: alice });
  assert.equal(
    await (await get(fetch, "/v2/a/manifests/1")).text(),
    "manifest",
  );
  assert.equal(
    await (await get(fetch, "/v2/b/manifests/1")).text(),
    "manifest",
  );
  assert.deepEqual(registry.log, [
    "GET reg.io/v2/a/manifests/1 none",
    "GET reg.io/v2/a/manifests/1 basic",
    "GET reg.io/v2/b/manifests/1 basic",
  ]);
});

Deno.test("withAuth() reports a final 401 as unauthorized with the login hint when there is no credential", async () => {
  const registry = fakeRegistry({ privateRepos: ["team/app"] });
  const fetch = withAuth(registry.handler, {
    hint: loginHint("reg.io", "destination"),
  });
  const error = await get(fetch, "/v2/team/app/manifests/1").catch((e) => e);
  assert.equal(error.kind, "unauthorized");
  assert.equal(
    error.message,
    'GET "https://reg.io/v2/team/app/manifests/1": response status code 401 (unauthorized); log in with "hangar login reg.io" or set DEST_USERNAME/DEST_PASSWORD',
  );
  const basic = await get(
    withAuth(fakeRegistry({ scheme: "basic" }).handler),
    "/v2/a/manifests/1",
  ).catch((e) => e);
  assert.equal(basic.kind, "unauthorized");
  assert.match(basic.message, /log in with "hangar login reg\.io"$/);
});

Deno.test("withAuth() reports 403 as denied", async () => {
  const error = await get(
    withAuth(fakeRegistry().handler),
    "/v2/forbidden/manifests/1",
  ).catch((e) => e);
  assert.equal(error.kind, "denied");
  assert.equal(error.status, 403);
});

Deno.test("withAuth() maps token endpoint failures to unauthorized or server", async () => {
  const unauthorized = await get(
    withAuth(fakeRegistry({ tokenStatus: 401 }).handler),
    "/v2/a/manifests/1",
  )
    .catch((e) => e);
  assert.equal(unauthorized.kind, "unauthorized");
  assert.equal(
    unauthorized.message,
    'Cannot get a token for "reg.io": GET "https://auth.io/token?service=reg.io&scope=repository%3Aa%3Apull": response status code 401 (unauthorized): bad; log in with "hangar login reg.io"',
  );
  const server = await get(
    withAuth(fakeRegistry({ tokenStatus: 503 }).handler),
    "/v2/a/manifests/1",
  ).catch((e) => e);
  assert.equal(server.kind, "server");
});

Deno.test("withAuth() never puts a password or token in errors or debug lines", async () => {
  const lines: string[] = [];
  const wrong = () =>
    Promise.resolve({ username: "alice", password: "not-the-password" });
  const registry = fakeRegistry();
  const error = await get(
    withAuth(registry.handler, {
      credential: wrong,
      debug: (l) => lines.push(l),
    }),
    "/v2/a/manifests/1",
  )
    .catch((e) => e);
  assert.equal(error.kind, "unauthorized");
  assert.match(error.message, /the credentials for "reg\.io" were rejected$/);
  const denied = await get(
    withAuth(fakeRegistry({ privateRepos: ["p"] }).handler, {
      debug: (l) => lines.push(l),
    }),
    "/v2/p/manifests/1",
  )
    .catch((e) => e);
  const good = fakeRegistry();
  await (await get(
    withAuth(good.handler, { credential: alice, debug: (l) => lines.push(l) }),
    "/v2/a/manifests/1",
  )).text();
  const text = [error.message, String(error.stack), denied.message, ...lines]
    .join("\n");
  for (
    const secret of [
      "not-the-password",
      PASSWORD,
      btoa(`alice:${PASSWORD}`),
      "tok1",
      "tok2",
      "Bearer ",
      "Basic ",
    ]
  ) {
    assert.ok(!text.includes(secret), `"${secret}" leaked`);
  }
  assert.ok(
    lines.some((line) =>
      line.startsWith(
        'auth: token for "repository:a:pull" from https://auth.io/token',
      )
    ),
  );
});

Deno.test("withAuth() with a registry never authenticates to another host, even when it challenges", async () => {
  const registry = fakeRegistry({ scheme: "basic" });
  const fetch = withAuth(registry.handler, {
    credential: alice,
    registry: "reg.io",
  });
  const own = await get(fetch, "/v2/a/manifests/1");
  assert.equal(own.status, 200);
  await own.body?.cancel();
  const other = await fetch(new Request("https://cdn.io/v2/a/manifests/1"));
  assert.equal(other.status, 401);
  await other.body?.cancel();
  assert.deepEqual(registry.log, [
    "GET reg.io/v2/a/manifests/1 none",
    "GET reg.io/v2/a/manifests/1 basic",
    "GET cdn.io/v2/a/manifests/1 none",
  ]);
});

Deno.test("withAuth() refuses to send an identity token to a plain http realm off loopback", async () => {
  const registry = fakeRegistry({ realm: "http://auth.io/token" });
  const fetch = withAuth(registry.handler, {
    credential: () => Promise.resolve({ identityToken: "idt" }),
  });
  const error = await fetch(new Request("http://reg.io/v2/a/manifests/1"))
    .catch((e) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(
    error.message,
    'Refusing to send the credentials for "reg.io" to "http://auth.io": the token endpoint is not https',
  );
  assert.deepEqual(registry.log, ["GET reg.io/v2/a/manifests/1 none"]);
});
