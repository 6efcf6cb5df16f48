import assert from "node:assert/strict";
import { TokenCache, type TokenKey } from "../lib/auth/token_cache.ts";

const KEY: TokenKey = {
  realm: "https://auth.io/token",
  service: "reg.io",
  scopes: ["repository:a:pull"],
  identity: "anonymous",
};

function counter(expiresInSeconds?: number) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetch: () => {
      calls++;
      return Promise.resolve(
        expiresInSeconds === undefined
          ? { token: `t${calls}` }
          : { token: `t${calls}`, expiresInSeconds },
      );
    },
  };
}

Deno.test("TokenCache.get() fetches once and reuses the token", async () => {
  const cache = new TokenCache();
  const source = counter(300);
  assert.equal(await cache.get(KEY, source.fetch), "t1");
  assert.equal(
    await cache.get({ ...KEY, scopes: ["repository:a:pull"] }, source.fetch),
    "t1",
  );
  assert.equal(source.calls, 1);
});

Deno.test("TokenCache.get() keys by realm, service, scopes and identity", async () => {
  const cache = new TokenCache();
  const source = counter(300);
  await cache.get(KEY, source.fetch);
  assert.equal(
    await cache.get({ ...KEY, realm: "https://other/token" }, source.fetch),
    "t2",
  );
  assert.equal(
    await cache.get({ ...KEY, service: "other" }, source.fetch),
    "t3",
  );
  assert.equal(
    await cache.get({ ...KEY, scopes: ["repository:b:pull"] }, source.fetch),
    "t4",
  );
  assert.equal(
    await cache.get({ ...KEY, identity: "abc" }, source.fetch),
    "t5",
  );
  assert.equal(await cache.get(KEY, source.fetch), "t1");
});

Deno.test("TokenCache.get() shares one fetch between concurrent callers", async () => {
  const cache = new TokenCache();
  let release: () => void = () => {};
  let calls = 0;
  const fetchToken = async () => {
    calls++;
    await new Promise<void>((resolve) => release = resolve);
    return { token: "shared" };
  };
  const all = Promise.all(
    [1, 2, 3, 4, 5].map(() => cache.get(KEY, fetchToken)),
  );
  release();
  assert.deepEqual(await all, [
    "shared",
    "shared",
    "shared",
    "shared",
    "shared",
  ]);
  assert.equal(calls, 1);
});

Deno.test("TokenCache.get() refreshes 30 s before expires_in, 60 s by default", async () => {
  let now = 0;
  const cache = new TokenCache({ now: () => now });
  const source = counter(300);
  await cache.get(KEY, source.fetch);
  now = 269_999;
  assert.equal(await cache.get(KEY, source.fetch), "t1");
  now = 270_000;
  assert.equal(await cache.get(KEY, source.fetch), "t2");

  const defaults = counter();
  const key = { ...KEY, realm: "https://defaults" };
  now = 0;
  await cache.get(key, defaults.fetch);
  now = 29_999;
  assert.equal(await cache.get(key, defaults.fetch), "t1");
  now = 30_000;
  assert.equal(await cache.get(key, defaults.fetch), "t2");
});

Deno.test("TokenCache.get() does not cache a failed fetch, and invalidate() forgets a token", async () => {
  const cache = new TokenCache();
  await assert.rejects(
    cache.get(KEY, () => Promise.reject(new Error("down"))),
    { message: "down" },
  );
  const source = counter(300);
  assert.equal(await cache.get(KEY, source.fetch), "t1");
  assert.ok(cache.has(KEY));
  cache.invalidate(KEY);
  assert.ok(!cache.has(KEY));
  assert.equal(await cache.get(KEY, source.fetch), "t2");
});
