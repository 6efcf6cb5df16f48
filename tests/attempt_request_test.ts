// attemptableRequest() and the retry layer: the request a registry call
// builds goes out as its first attempt (no copy, no dependent signal), the
// attempt limit stops only that attempt, and the caller's abort reaches
// whichever attempt is in flight.

import assert from "node:assert/strict";
import { attemptableRequest, withRetry } from "../lib/transport/retry.ts";
import { RegistryClient } from "../lib/registry/client.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

/** A fetch that answers once its request is aborted: with the abort reason. */
function untilAborted(request: Request): Promise<Response> {
  return new Promise((_, reject) => {
    const signal = request.signal;
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    });
  });
}

function manifestHead(): Response {
  return new Response(null, {
    headers: {
      "docker-content-digest": DIGEST,
      "content-type": "application/vnd.oci.image.manifest.v1+json",
    },
  });
}

/** The URLs of the Requests constructed while `work` runs. */
async function requestsMade(work: () => Promise<unknown>): Promise<string[]> {
  const Original = globalThis.Request;
  const made: string[] = [];
  globalThis.Request = class extends Original {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(input, init);
      made.push(this.url);
    }
  };
  try {
    await work();
  } finally {
    globalThis.Request = Original;
  }
  return made;
}

/** A plain-http registry (https fails like at a plain http port). */
function plainHttp(
  answer: (request: Request) => Response,
): (request: Request) => Promise<Response> {
  return (request) =>
    request.url.startsWith("https:")
      ? Promise.reject(
        new TypeError("received corrupt message of type InvalidContentType"),
      )
      : Promise.resolve(answer(request));
}

Deno.test("RegistryClient builds one Request per HEAD once the host is known to speak plain http", async () => {
  const seen: string[] = [];
  const client = new RegistryClient("reg.test", {
    tlsVerify: false,
    fetch: plainHttp((request) => {
      seen.push(request.url);
      return manifestHead();
    }),
  });
  await client.resolveManifest("a", "1"); // learns that reg.test is http
  seen.length = 0;
  const made = await requestsMade(() => client.resolveManifest("a", "2"));
  assert.deepEqual(made, ["http://reg.test/v2/a/manifests/2"]);
  assert.deepEqual(seen, made);
});

Deno.test("RegistryClient builds two Requests per HEAD to a Basic auth registry: its own and the one with credentials", async () => {
  const authorized: (string | null)[] = [];
  const client = new RegistryClient("reg.test", {
    tlsVerify: false,
    credential: () => Promise.resolve({ username: "u", password: "p" }),
    fetch: plainHttp((request) => {
      const authorization = request.headers.get("authorization");
      authorized.push(authorization);
      return authorization === null
        ? new Response(null, {
          status: 401,
          headers: { "www-authenticate": 'Basic realm="reg"' },
        })
        : manifestHead();
    }),
  });
  await client.resolveManifest("a", "1"); // learns http and Basic
  authorized.length = 0;
  const made = await requestsMade(() => client.resolveManifest("a", "2"));
  assert.deepEqual(made, [
    "http://reg.test/v2/a/manifests/2",
    "http://reg.test/v2/a/manifests/2",
  ]);
  assert.deepEqual(authorized, [`Basic ${btoa("u:p")}`]);
});

Deno.test("the caller's abort reaches the first attempt in flight at once", async () => {
  const seen: Request[] = [];
  const sent = Promise.withResolvers<void>();
  const client = new RegistryClient("reg.test", {
    fetch: (request) => {
      seen.push(request);
      sent.resolve();
      return untilAborted(request);
    },
  });
  const caller = new AbortController();
  const head = client.resolveManifest("a", "1", caller.signal);
  await sent.promise;
  const reason = new Error("Interrupted");
  caller.abort(reason);
  assert.equal(seen[0]!.signal.aborted, true);
  assert.equal(seen[0]!.signal.reason, reason);
  await assert.rejects(head);
  assert.equal(seen.length, 1);
});

Deno.test("withRetry() sends an attemptable request as its first attempt and a copy after the attempt limit", async () => {
  const seen: Request[] = [];
  const fetch = withRetry((request) => {
    seen.push(request);
    return seen.length === 1
      ? untilAborted(request)
      : Promise.resolve(new Response("ok"));
  }, { attemptTimeoutMs: 5, sleep: () => Promise.resolve() });
  const caller = new AbortController();
  const request = attemptableRequest("http://reg.test/v2/", {
    method: "GET",
  }, caller.signal);
  const response = await fetch(request);
  assert.equal(await response.text(), "ok");
  assert.equal(seen.length, 2);
  assert.equal(seen[0], request);
  assert.equal(request.signal.reason.name, "TimeoutError");
  assert.notEqual(seen[1], request);
  assert.equal(seen[1]!.signal.aborted, false);
  assert.equal(caller.signal.aborted, false);
});

Deno.test("withRetry() passes the caller's abort to the copy that replaced a timed-out first attempt", async () => {
  const seen: Request[] = [];
  const second = Promise.withResolvers<void>();
  const fetch = withRetry((request) => {
    seen.push(request);
    if (seen.length === 2) second.resolve();
    return untilAborted(request);
  }, {
    attemptTimeoutMs: 5,
    maxAttempts: 2,
    sleep: () => Promise.resolve(),
  });
  const caller = new AbortController();
  const request = attemptableRequest("http://reg.test/v2/", {
    method: "GET",
  }, caller.signal);
  const sent = fetch(request);
  await second.promise;
  const reason = new Error("Interrupted");
  caller.abort(reason);
  assert.equal(seen[1]!.signal.reason, reason);
  await assert.rejects(sent, (error) => error === reason);
});
