import assert from "node:assert/strict";
import { RegistryError } from "../lib/errors.ts";
import type { Fetch } from "../lib/transport/fetch.ts";
import { withRetry } from "../lib/transport/retry.ts";
import { retryDelay } from "../lib/transport/retry_policy.ts";
import { StalledHosts } from "../lib/transport/stalled_hosts.ts";

const noJitter = { random: () => 1 };

Deno.test("retryDelay() retries 408, 429 and 5xx but not 501 or 4xx", () => {
  assert.equal(retryDelay(1, { status: 408 }, noJitter), 500);
  assert.equal(retryDelay(1, { status: 429 }, noJitter), 500);
  assert.equal(retryDelay(1, { status: 500 }, noJitter), 500);
  assert.equal(retryDelay(1, { status: 503 }, noJitter), 500);
  assert.equal(retryDelay(1, { status: 501 }), undefined);
  assert.equal(retryDelay(1, { status: 404 }), undefined);
  assert.equal(retryDelay(1, { status: 401 }), undefined);
  assert.equal(retryDelay(1, { status: 200 }), undefined);
});

Deno.test("retryDelay() backs off exponentially with jitter between half and full delay, capped", () => {
  assert.equal(retryDelay(1, { status: 503 }, { random: () => 0 }), 250);
  assert.equal(retryDelay(2, { status: 503 }, noJitter), 1000);
  assert.equal(retryDelay(3, { status: 503 }, noJitter), 2000);
  assert.equal(retryDelay(3, { status: 503 }, { random: () => 0.5 }), 1500);
  assert.equal(retryDelay(4, { status: 503 }, noJitter), undefined);
  assert.equal(
    retryDelay(9, { status: 503 }, {
      ...noJitter,
      maxAttempts: 20,
      maxMs: 5000,
    }),
    5000,
  );
  assert.equal(retryDelay(2, { status: 503 }, { ...noJitter, baseMs: 10 }), 20);
});

Deno.test("retryDelay() honours Retry-After in seconds or as an HTTP date, capped at maxMs", () => {
  assert.equal(retryDelay(1, { status: 429, retryAfter: "7" }), 7000);
  assert.equal(retryDelay(1, { status: 429, retryAfter: "120" }), 30000);
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  assert.equal(
    retryDelay(
      1,
      { status: 503, retryAfter: "Wed, 21 Oct 2015 07:28:05 GMT" },
      { now: () => now },
    ),
    5000,
  );
  assert.equal(
    retryDelay(
      1,
      { status: 503, retryAfter: "Wed, 21 Oct 2015 07:27:00 GMT" },
      { now: () => now },
    ),
    0,
  );
  assert.equal(
    retryDelay(1, { status: 503, retryAfter: "soon" }, noJitter),
    500,
  );
});

Deno.test("retryDelay() retries resets and timeouts but not TLS, refused, DNS or aborts", () => {
  const reset = new TypeError("fetch failed", {
    cause: new Error("connection closed before message completed"),
  });
  assert.equal(retryDelay(1, { error: reset }, noJitter), 500);
  assert.equal(
    retryDelay(
      1,
      { error: new RegistryError("timeout", "timed out") },
      noJitter,
    ),
    500,
  );
  assert.equal(
    retryDelay(1, { error: new DOMException("t", "TimeoutError") }, noJitter),
    500,
  );
  assert.equal(
    retryDelay(1, { error: new RegistryError("tls", "bad certificate") }),
    undefined,
  );
  assert.equal(
    retryDelay(1, {
      error: new RegistryError("network", "x", {
        cause: new Error("Connection refused (os error 111)"),
      }),
    }),
    undefined,
  );
  assert.equal(
    retryDelay(1, {
      error: new Error("dns error: failed to lookup address information"),
    }),
    undefined,
  );
  assert.equal(
    retryDelay(1, { error: new DOMException("a", "AbortError") }),
    undefined,
  );
});

function script(statuses: (number | Error)[], seen: string[]): Fetch {
  return (request) => {
    seen.push(request.method);
    const next = statuses.shift() ?? 200;
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(new Response(`status ${next}`, { status: next }));
  };
}

Deno.test("withRetry() retries a GET after 503 and a reset, sleeping the policy's delays", async () => {
  const seen: string[] = [];
  const sleeps: number[] = [];
  const reset = new TypeError("fetch failed", {
    cause: new Error("connection reset by peer"),
  });
  const fetch = withRetry(script([503, reset, 200], seen), {
    random: () => 1,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
  const response = await fetch(new Request("https://reg.io/v2/"));
  assert.equal(await response.text(), "status 200");
  assert.deepEqual(seen, ["GET", "GET", "GET"]);
  assert.deepEqual(sleeps, [500, 1000]);
});

Deno.test("withRetry() returns the last answer after maxAttempts", async () => {
  const seen: string[] = [];
  const fetch = withRetry(script([503, 503, 503], seen), {
    maxAttempts: 3,
    sleep: () => Promise.resolve(),
  });
  const response = await fetch(
    new Request("https://reg.io/v2/", { method: "HEAD" }),
  );
  assert.equal(response.status, 503);
  assert.deepEqual(seen, ["HEAD", "HEAD", "HEAD"]);
});

Deno.test("withRetry() never retries a POST", async () => {
  const seen: string[] = [];
  const fetch = withRetry(script([503], seen), {
    sleep: () => Promise.resolve(),
  });
  const response = await fetch(
    new Request("https://reg.io/token", { method: "POST", body: "x" }),
  );
  assert.equal(response.status, 503);
  assert.deepEqual(seen, ["POST"]);
});

Deno.test("withRetry() stops when the signal aborts during the wait", async () => {
  const seen: string[] = [];
  const controller = new AbortController();
  const fetch = withRetry(script([503, 503], seen), {
    sleep: (_ms, signal) => {
      controller.abort(new Error("cancelled"));
      return Promise.reject(signal?.reason);
    },
  });
  await assert.rejects(
    fetch(new Request("https://reg.io/v2/", { signal: controller.signal })),
    { message: "cancelled" },
  );
  assert.deepEqual(seen, ["GET"]);
});

Deno.test("withRetry() times out an attempt that gets no answer and retries it", async () => {
  let calls = 0;
  const hanging: Fetch = (request) => {
    calls++;
    if (calls === 2) return Promise.resolve(new Response("late but fine"));
    return new Promise((_, reject) =>
      request.signal.addEventListener(
        "abort",
        () => reject(request.signal.reason),
      )
    );
  };
  const fetch = withRetry(hanging, {
    attemptTimeoutMs: 5,
    sleep: () => Promise.resolve(),
  });
  const response = await fetch(new Request("https://reg.io/v2/"));
  assert.equal(await response.text(), "late but fine");
  assert.equal(calls, 2);
});

Deno.test("withRetry() sends attempts where route says, with the same method, headers and redirect mode", async () => {
  const seen: string[] = [];
  const lines: string[] = [];
  const fetch = withRetry((request) => {
    seen.push(
      `${request.method} ${request.url} ${
        request.headers.get("accept")
      } ${request.redirect}`,
    );
    return Promise.resolve(
      new Response(null, { status: seen.length < 2 ? 503 : 200 }),
    );
  }, {
    attemptTimeoutMs: 1000,
    route: (url) => url.replace("https://reg.io/", "http://reg.io/"),
    sleep: () => Promise.resolve(),
    random: () => 1,
    debug: (line) => lines.push(line),
  });
  const response = await fetch(
    new Request("https://reg.io/v2/a/manifests/1", {
      method: "HEAD",
      headers: { Accept: "x/y" },
      redirect: "manual",
    }),
  );
  assert.equal(response.status, 200);
  assert.deepEqual(seen, [
    "HEAD http://reg.io/v2/a/manifests/1 x/y manual",
    "HEAD http://reg.io/v2/a/manifests/1 x/y manual",
  ]);
  assert.deepEqual(lines, [
    // the log names the URL actually used
    "HEAD http://reg.io/v2/a/manifests/1 -> 503, retry 1 in 500 ms",
  ]);
});

Deno.test("withRetry() with stalledHosts fails at once after 3 timeouts in a row, and probes again later", async () => {
  let now = 0;
  const stalled = new StalledHosts({
    now: () => now,
    probeAfterMs: 60_000,
    label: (host) => `Registry "${host}"`,
  });
  const calls: string[] = [];
  let answering = false;
  const fetch = withRetry((request) => {
    calls.push(new URL(request.url).host);
    if (new URL(request.url).host === "up.io" || answering) {
      return Promise.resolve(new Response("ok"));
    }
    return Promise.reject(new DOMException("no answer", "TimeoutError"));
  }, {
    stalledHosts: stalled,
    attemptTimeoutMs: 300,
    sleep: () => Promise.resolve(),
  });
  const stopped =
    'Registry "hung.io" stopped answering: 3 requests in a row got no answer within 300ms';
  for (let image = 0; image < 3; image++) {
    const error = await fetch(new Request("https://hung.io/v2/")).catch((e) =>
      e
    );
    assert.ok(error instanceof RegistryError);
    assert.equal(error.kind, "timeout");
    assert.equal(error.message, stopped);
  }
  assert.deepEqual(calls, ["hung.io", "hung.io", "hung.io"]);
  // other hosts are not concerned
  assert.equal((await fetch(new Request("https://up.io/v2/"))).status, 200);
  // a minute later one request goes through again; its answer clears the host
  now = 60_000;
  answering = true;
  assert.equal((await fetch(new Request("https://hung.io/v2/"))).status, 200);
  assert.equal((await fetch(new Request("https://hung.io/v2/"))).status, 200);
  assert.deepEqual(calls.slice(3), ["up.io", "hung.io", "hung.io"]);
});
