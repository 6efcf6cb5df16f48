// Each image's final verdict and kind when the registry misbehaves: faults
// injected by FaultRegistry in front of the in-memory OCI registry (and of a
// real distribution registry), through the real RegistryClient stack with an
// injected sleep, so retries cost no time.

import assert from "node:assert/strict";
import { FAILURE_KINDS, type FailureKind } from "../lib/errors.ts";
import { parseListLine } from "../lib/list/image_list.ts";
import { RegistryClient } from "../lib/registry/client.ts";
import { runOnList, stripTime } from "./support/cli_run.ts";
import { type ClientFactory, validateList } from "../lib/verdict/validate.ts";
import { startDistribution } from "./support/distribution.ts";
import {
  type Fault,
  FaultRegistry,
  type FaultRule,
  listenAndClose,
  proxyTo,
} from "./support/fault_registry.ts";
import type { OciRegistry } from "./support/oci_server.ts";
import { indexBody, pushManifest, seedImage } from "./support/seed.ts";
import {
  DST_HOST,
  routeHosts,
  seedBoth,
  SRC_HOST,
  twoRegistries,
} from "./support/two_registries.ts";
import type { Platform } from "../lib/types/platform.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OTHER = `sha256:${"0".repeat(64)}`;
const LINE = "src.test/lib/app dst.test/lib/app 1";
const SRC_HEAD = /^HEAD \/v2\/lib\/app\/manifests\//;
const GET_MANIFEST = /^GET \/v2\/lib\/app\/manifests\//;
const MANIFESTS = /\/v2\/lib\/app\/manifests\//;

interface WorldOptions {
  src?: FaultRule[];
  dst?: FaultRule[];
  /** Per-attempt limit of the clients. */
  requestTimeoutMs?: number;
  /** Clock of the retry policy. */
  now?: () => number;
}

/** Two in-memory registries, each behind a FaultRegistry, both holding lib/app:1 (an index). */
async function world(options: WorldOptions = {}) {
  const { src, dst } = twoRegistries();
  await seedBoth({ src, dst }, { repository: "lib/app", tag: "1" }, {
    kind: "index",
    format: "oci",
    platforms: [AMD64, ARM64],
    seed: "app",
  });
  const faults = {
    src: new FaultRegistry(src.handler, options.src),
    dst: new FaultRegistry(dst.handler, options.dst),
  };
  const sleeps: number[] = [];
  const fetch = routeHosts({
    [SRC_HOST]: faults.src.handler,
    [DST_HOST]: faults.dst.handler,
  });
  const clients = clientFactory(fetch, sleeps, options);
  return { src, dst, faults, sleeps, clients };
}

function clientFactory(
  fetch: (request: Request) => Promise<Response>,
  sleeps: number[],
  options: WorldOptions = {},
): ClientFactory {
  const made = new Map<string, RegistryClient>();
  return (registry, side) => {
    const key = `${side} ${registry}`;
    let client = made.get(key);
    if (client === undefined) {
      client = new RegistryClient(registry, {
        fetch,
        requestTimeoutMs: options.requestTimeoutMs ?? 5000,
        retry: {
          random: () => 1,
          ...(options.now ? { now: options.now } : {}),
          sleep: (ms, signal) => {
            sleeps.push(ms);
            signal?.throwIfAborted();
            return Promise.resolve();
          },
        },
      });
      made.set(key, client);
    }
    return client;
  };
}

interface Final {
  status: string;
  kind?: FailureKind;
  reason: string;
}

async function verdictOf(
  clients: ClientFactory,
  line = LINE,
  timeoutMs = 10_000,
): Promise<Final> {
  const item = parseListLine(line, 1);
  assert.ok(item?.kind === "image");
  const results = [];
  for await (
    const result of validateList([item], {
      clients,
      oses: ["linux"],
      timeoutMs,
    })
  ) results.push(result);
  assert.equal(results.length, 1);
  const result = results[0]!;
  assert.ok(result.kind === "image" && result.outcome !== undefined);
  const verdict = result.outcome.verdict;
  if (verdict.status === "failed") {
    return { status: "failed", kind: verdict.kind, reason: verdict.reason };
  }
  return { status: verdict.status, reason: verdict.reason };
}

function rule(match: RegExp | string, faults: Fault[], repeat = false) {
  return { match, faults, repeat };
}

Deno.test("a 503, a 429 with Retry-After and a reset are retried and the image passes", async () => {
  const w = await world({
    src: [rule(SRC_HEAD, [{ status: 503 }, "reset"])],
    dst: [rule(SRC_HEAD, [{ status: 429, headers: { "Retry-After": "7" } }])],
  });
  assert.deepEqual(await verdictOf(w.clients), {
    status: "passed",
    reason: "identical",
  });
  assert.deepEqual(w.faults.src.log, [
    "HEAD /v2/lib/app/manifests/1 503",
    "HEAD /v2/lib/app/manifests/1 reset",
    "HEAD /v2/lib/app/manifests/1 pass",
  ]);
  assert.deepEqual(w.faults.dst.log, [
    "HEAD /v2/lib/app/manifests/1 429",
    "HEAD /v2/lib/app/manifests/1 pass",
  ]);
  // backoff 500 then 1000 ms (full jitter here); Retry-After 7 s as sent
  assert.deepEqual(w.sleeps.sort((a, b) => a - b), [500, 1000, 7000]);
});

Deno.test("Retry-After as an HTTP date waits until that date", async () => {
  const now = Date.UTC(2024, 0, 1, 0, 0, 0);
  const w = await world({
    now: () => now,
    src: [rule(SRC_HEAD, [{
      status: 429,
      headers: { "Retry-After": new Date(now + 5000).toUTCString() },
    }])],
  });
  assert.equal((await verdictOf(w.clients)).status, "passed");
  assert.deepEqual(w.sleeps, [5000]);
});

Deno.test("a fault that does not go away fails the image with its kind after 4 attempts", async (t) => {
  const url = '"https://src.test/v2/lib/app/manifests/1"';
  const cases: [string, Fault, FailureKind, string][] = [
    [
      "503",
      { status: 503 },
      "server",
      `source: HEAD ${url}: response status code 503`,
    ],
    [
      "429",
      { status: 429, headers: { "Retry-After": "1" } },
      "rate-limited",
      `source: HEAD ${url}: response status code 429`,
    ],
    [
      "reset",
      "reset",
      "network",
      'source: Connection to "src.test" was closed: error sending request: connection reset by peer',
    ],
  ];
  for (const [name, fault, kind, reason] of cases) {
    await t.step(name, async () => {
      const w = await world({ src: [rule(SRC_HEAD, [fault], true)] });
      assert.deepEqual(await verdictOf(w.clients), {
        status: "failed",
        kind,
        reason,
      });
      assert.equal(w.faults.src.log.length, 4);
      assert.equal(w.sleeps.length, 3);
    });
  }
});

Deno.test("statuses that are not worth a retry fail at once with their kind", async (t) => {
  const url = '"https://src.test/v2/lib/app/manifests/1"';
  const cases: [Fault, FailureKind, string][] = [
    [{ status: 404 }, "missing", "source manifest does not exist"],
    [
      { status: 401 },
      "unauthorized",
      `source: HEAD ${url}: response status code 401`,
    ],
    [
      { status: 403 },
      "denied",
      `source: HEAD ${url}: response status code 403`,
    ],
    [
      { status: 501 },
      "server",
      `source: GET ${url}: response status code 501`,
    ],
  ];
  for (const [fault, kind, reason] of cases) {
    await t.step(String((fault as { status: number }).status), async () => {
      const w = await world({ src: [rule(MANIFESTS, [fault], true)] });
      const final = await verdictOf(w.clients);
      assert.equal(final.kind, kind);
      assert.match(final.reason, new RegExp(`^${escape(reason)}`));
      assert.deepEqual(w.sleeps, []);
    });
  }
});

Deno.test("a registry that stalls fails the image with kind timeout: per request, then per image", async (t) => {
  await t.step(
    "each attempt times out after requestTimeoutMs; after 3 in a row the host counts as stopped",
    async () => {
      const w = await world({
        requestTimeoutMs: 20,
        dst: [rule(SRC_HEAD, ["stall"], true)],
      });
      assert.deepEqual(await verdictOf(w.clients), {
        status: "failed",
        kind: "timeout",
        reason:
          'destination: Registry "dst.test" stopped answering: 3 requests in a row got no answer within 20ms',
      });
      assert.equal(w.faults.dst.log.length, 3);
      assert.deepEqual(w.sleeps, [500, 1000]);
    },
  );
  await t.step(
    "the image gives up after --timeout, naming the side and the request in flight",
    async () => {
      const w = await world({ dst: [rule(SRC_HEAD, ["stall"], true)] });
      assert.deepEqual(await verdictOf(w.clients, LINE, 30), {
        status: "failed",
        kind: "timeout",
        reason:
          'destination: timed out after 30ms while resolving the manifest: HEAD "https://dst.test/v2/lib/app/manifests/1"',
      });
      assert.equal(w.faults.dst.log.length, 1);
    },
  );
  await t.step(
    "a body that stalls under --timeout names the GET that was reading it",
    async () => {
      const w = await world({
        src: [
          rule(SRC_HEAD, [{ status: 405 }], true),
          rule(GET_MANIFEST, ["stall-body"], true),
        ],
      });
      assert.deepEqual(await verdictOf(w.clients, LINE, 30), {
        status: "failed",
        kind: "timeout",
        reason:
          'source: timed out after 30ms while reading the manifest: GET "https://src.test/v2/lib/app/manifests/1"',
      });
    },
  );
});

Deno.test("an error answer whose body stalls times out like any request and is retried", async () => {
  const w = await world({
    requestTimeoutMs: 20,
    src: [
      rule(SRC_HEAD, [{ status: 405 }], true),
      rule(GET_MANIFEST, [{
        status: 500,
        headers: { "Content-Type": "application/json" },
        body: '{"errors":[{"code":"UNKNOWN",',
        stall: true,
      }], true),
    ],
  });
  assert.deepEqual(await verdictOf(w.clients), {
    status: "failed",
    kind: "timeout",
    reason:
      'source: GET "https://src.test/v2/lib/app/manifests/1": request timed out',
  });
  // 4 reads of the answer, each after the 4 attempts the 500 itself gets
  assert.equal(w.faults.src.log.filter((l) => l.startsWith("GET")).length, 16);
});

Deno.test("a server that answers 404 to everything, GET /v2/ included, is not-a-registry", async () => {
  const w = await world({ dst: [rule("/v2/", [{ status: 404 }], true)] });
  assert.deepEqual(await verdictOf(w.clients), {
    status: "failed",
    kind: "not-a-registry",
    reason:
      'destination: Server at "dst.test" is not a registry: GET "https://dst.test/v2/" answered with status 404',
  });
  // a registry's 404 is still a missing manifest, checked with one GET /v2/
  const missing = await world({
    dst: [rule(MANIFESTS, [{ status: 404 }], true)],
  });
  const final = await verdictOf(missing.clients);
  assert.equal(final.reason, "destination manifest does not exist");
  assert.deepEqual(missing.faults.dst.log, [
    "HEAD /v2/lib/app/manifests/1 404",
    "GET /v2/ pass",
  ]);
});

Deno.test("bodies that break off are read again; a body that always breaks off fails", async (t) => {
  // HEAD answers 405, so the manifest has to be read with a GET
  const head405 = rule(SRC_HEAD, [{ status: 405 }], true);
  await t.step("a reset in the middle of the body, once", async () => {
    const w = await world({
      dst: [head405, rule(GET_MANIFEST, [{ truncate: 40, reset: true }])],
    });
    assert.equal((await verdictOf(w.clients)).status, "passed");
    assert.deepEqual(w.faults.dst.log.slice(1), [
      "GET /v2/lib/app/manifests/1 truncate-reset",
      "GET /v2/lib/app/manifests/1 pass",
    ]);
  });
  await t.step("a reset in the middle of the body, every time", async () => {
    const w = await world({
      dst: [head405, rule(GET_MANIFEST, [{ truncate: 40, reset: true }], true)],
    });
    const final = await verdictOf(w.clients);
    assert.equal(final.kind, "network");
    assert.match(
      final.reason,
      /^destination: Connection to "dst.test" was closed: /,
    );
    assert.equal(w.faults.dst.log.length, 5);
  });
  await t.step("a body that stalls half way, every time", async () => {
    const w = await world({
      requestTimeoutMs: 20,
      dst: [head405, rule(GET_MANIFEST, ["stall-body"], true)],
    });
    const final = await verdictOf(w.clients);
    assert.equal(final.kind, "timeout");
    assert.equal(
      final.reason,
      'destination: GET "https://dst.test/v2/lib/app/manifests/1": request timed out',
    );
  });
  await t.step(
    "a body cut short without an error is a digest mismatch",
    async () => {
      const w = await world({
        dst: [head405, rule(GET_MANIFEST, [{ truncate: 40 }], true)],
      });
      const final = await verdictOf(w.clients);
      assert.equal(final.kind, "digest-mismatch");
      assert.match(
        final.reason,
        /^destination: GET "https:\/\/dst.test\/v2\/lib\/app\/manifests\/1": manifest digest is "sha256:[0-9a-f]{64}", not "sha256:[0-9a-f]{64}" as announced by the registry$/,
      );
    },
  );
});

Deno.test("wrong digests and tampered bodies fail with kind digest-mismatch", async (t) => {
  await t.step("a GET announcing another digest", async () => {
    const w = await world({
      dst: [
        rule(SRC_HEAD, [{ status: 405 }], true),
        rule(GET_MANIFEST, [{ digest: OTHER }], true),
      ],
    });
    const final = await verdictOf(w.clients);
    assert.equal(final.kind, "digest-mismatch");
    assert.match(final.reason, new RegExp(`not "${OTHER}" as announced`));
  });
  await t.step("a HEAD by digest announcing another digest", async () => {
    const w = await world();
    const digest = await digestOf(w.src);
    const faults = new FaultRegistry(w.src.handler, [
      rule(SRC_HEAD, [{ digest: OTHER }], true),
    ]);
    const clients = clientFactory(
      (r) =>
        new URL(r.url).host === "src.test"
          ? faults.handler(r)
          : w.faults.dst.handler(r),
      [],
    );
    const final = await verdictOf(
      clients,
      `src.test/lib/app dst.test/lib/app ${digest}`,
    );
    assert.equal(final.kind, "digest-mismatch");
    assert.match(final.reason, /^source: HEAD .*: registry announced digest/);
  });
  await t.step("a tampered blob", async () => {
    const w = await world({
      src: [rule(/^GET \/v2\/lib\/single\/blobs\//, [{ body: "{}" }], true)],
    });
    // a destination that differs makes the engine read the source config
    const single = await seedImage(
      "http://x",
      {
        repository: "lib/single",
        tag: "1",
      },
      { kind: "image", format: "oci", platform: AMD64, seed: "s" },
      {
        fetch: (r) => w.src.handler(r),
      },
    );
    assert.ok(single.digest);
    const final = await verdictOf(
      w.clients,
      "src.test/lib/single dst.test/lib/app 1",
    );
    assert.equal(final.kind, "digest-mismatch");
    assert.match(
      final.reason,
      /^source: GET .*\/blobs\/sha256:.*: blob digest is/,
    );
  });
});

Deno.test("bad answers are FAILs of the image, never a crash", async (t) => {
  await t.step("an HTML login page with status 200", async () => {
    const w = await world({ dst: [rule(MANIFESTS, ["html"], true)] });
    assert.deepEqual(await verdictOf(w.clients), {
      status: "failed",
      kind: "invalid-manifest",
      reason:
        'destination: GET "https://dst.test/v2/lib/app/manifests/1": registry answered with an HTML page',
    });
  });
  await t.step("an HTML error page with status 502", async () => {
    const w = await world({
      dst: [
        rule(MANIFESTS, [{
          status: 502,
          headers: { "Content-Type": "text/html" },
          body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
        }], true),
      ],
    });
    const final = await verdictOf(w.clients);
    assert.equal(final.kind, "server");
    assert.equal(
      final.reason,
      'destination: HEAD "https://dst.test/v2/lib/app/manifests/1": response status code 502',
    );
  });
  await t.step("a manifest over 4 MiB; reading stops at the cap", async () => {
    const w = await world({
      src: [
        rule(SRC_HEAD, [{ status: 405 }], true),
        rule(GET_MANIFEST, [{ oversize: 64 * 1024 * 1024 }], true),
      ],
    });
    const final = await verdictOf(w.clients);
    assert.equal(final.kind, "invalid-manifest");
    assert.equal(
      final.reason,
      'source: GET "https://src.test/v2/lib/app/manifests/1": manifest is larger than 4194304 bytes',
    );
    assert.ok(
      w.faults.src.bytesSent <= 4 * 1024 * 1024 + 2 * 64 * 1024,
      `read ${w.faults.src.bytesSent} bytes`,
    );
  });
  await t.step("malformed JSON", async () => {
    const w = await world();
    await w.src.putManifest(
      "lib/app",
      "1",
      new TextEncoder().encode('{"schemaVersion": 2, "manif'),
      OCI_INDEX,
    );
    const final = await verdictOf(w.clients);
    assert.equal(final.kind, "invalid-manifest");
    assert.match(final.reason, /^source: manifest is invalid: /);
  });
  await t.step("an unknown media type", async () => {
    const w = await world();
    await w.dst.putManifest(
      "lib/app",
      "1",
      new TextEncoder().encode('{"schemaVersion": 2}'),
      "application/vnd.example.thing+json",
    );
    assert.deepEqual(await verdictOf(w.clients), {
      status: "failed",
      kind: "invalid-manifest",
      reason:
        'destination: manifest is invalid: Unsupported manifest media type "application/vnd.example.thing+json"',
    });
  });
  await t.step("a TLS failure", async () => {
    const w = await world();
    const clients = clientFactory(
      () =>
        Promise.reject(
          new TypeError("invalid peer certificate: UnknownIssuer"),
        ),
      [],
    );
    const final = await verdictOf(clients);
    assert.equal(final.kind, "tls");
    assert.equal(w.sleeps.length, 0);
  });
});

Deno.test("odd but legal answers are handled, not failed", async (t) => {
  await t.step(
    "no Docker-Content-Digest: a GET whose body is hashed",
    async () => {
      const w = await world({ dst: [rule(MANIFESTS, ["no-digest"], true)] });
      assert.equal((await verdictOf(w.clients)).status, "passed");
      assert.deepEqual(w.faults.dst.log, [
        "HEAD /v2/lib/app/manifests/1 no-digest",
        "GET /v2/lib/app/manifests/1 no-digest",
      ]);
    },
  );
  await t.step("HEAD answered 405: a GET", async () => {
    const w = await world({ src: [rule(SRC_HEAD, [{ status: 405 }], true)] });
    assert.equal((await verdictOf(w.clients)).status, "passed");
    assert.deepEqual(w.faults.src.log, [
      "HEAD /v2/lib/app/manifests/1 405",
      "GET /v2/lib/app/manifests/1 pass",
    ]);
  });
  await t.step(
    "an index entry without a platform is not selected",
    async () => {
      const w = await world();
      const seeded = await seedImage("http://x", {
        repository: "lib/app",
        tag: "1",
      }, {
        kind: "index",
        format: "oci",
        platforms: [AMD64, ARM64],
        seed: "app",
      }, { fetch: (r) => w.src.handler(r) });
      const [amd, arm] = seeded.children;
      const withStray = indexBody("oci", [
        { ...amd!, platform: AMD64 },
        { digest: arm!.digest, mediaType: OCI_MANIFEST, size: arm!.size },
      ]);
      await pushManifest(
        "http://x",
        { repository: "lib/app", reference: "1" },
        withStray,
        OCI_INDEX,
        {
          fetch: (r) => w.src.handler(r),
        },
      );
      const onlyAmd = indexBody("oci", [{ ...amd!, platform: AMD64 }]);
      await pushManifest(
        "http://x",
        { repository: "lib/app", reference: "1" },
        onlyAmd,
        OCI_INDEX,
        {
          fetch: (r) => w.dst.handler(r),
        },
      );
      assert.deepEqual(await verdictOf(w.clients), {
        status: "passed",
        reason: "all selected platforms match",
      });
    },
  );
});

Deno.test("a connection closed by a real socket is retried and fails with kind network", async () => {
  const closing = listenAndClose();
  try {
    const clients: ClientFactory = (registry) =>
      new RegistryClient(registry, {
        fetch: (request) => {
          const url = new URL(request.url);
          url.protocol = "http:";
          return fetch(new Request(url, request));
        },
        retry: { sleep: () => Promise.resolve() },
      });
    const final = await verdictOf(
      clients,
      `${closing.host}/lib/app ${closing.host}/lib/app 1`,
    );
    assert.equal(final.kind, "network");
    assert.match(
      final.reason,
      new RegExp(
        `^source: Connection to "${escape(closing.host)}" was closed: `,
      ),
    );
    assert.equal(closing.connections, 8);
  } finally {
    await closing.close();
  }
});

Deno.test("faults in front of a real distribution registry: retried to PASS, or FAIL with the right kind", async () => {
  const registry = await startDistribution();
  try {
    for (const repository of ["lib/app", "lib/copy"]) {
      await seedImage(registry.url, { repository, tag: "1" }, {
        kind: "index",
        format: "docker",
        platforms: [AMD64, ARM64],
        seed: "real",
      });
    }
    await seedImage(registry.url, { repository: "lib/other", tag: "1" }, {
      kind: "index",
      format: "docker",
      platforms: [AMD64, ARM64],
      seed: "other",
    });
    const src = new FaultRegistry(proxyTo(registry.url), [
      rule(/^HEAD /, [{ status: 503 }, "reset", "no-digest"]),
    ]);
    const dst = new FaultRegistry(proxyTo(registry.url), [
      rule(/^HEAD /, [{ status: 429, headers: { "Retry-After": "2" } }]),
      rule(/^GET .*\/manifests\//, [{ truncate: 100, reset: true }]),
    ]);
    const sleeps: number[] = [];
    const clients = clientFactory(
      (r) => (new URL(r.url).host === "src.test" ? src : dst).handler(r),
      sleeps,
    );
    assert.deepEqual(
      await verdictOf(clients, "src.test/lib/app dst.test/lib/copy 1"),
      { status: "passed", reason: "identical" },
    );
    const other = await verdictOf(
      clients,
      "src.test/lib/app dst.test/lib/other 1",
    );
    assert.equal(other.kind, "mismatch");
    assert.equal(sleeps.length, 4);
    src.add(rule(/^HEAD /, [{ status: 500 }], true));
    const failing = await verdictOf(
      clients,
      "src.test/lib/app dst.test/lib/copy 1",
    );
    assert.equal(failing.kind, "server");
    assert.match(
      failing.reason,
      /^source: HEAD "https:\/\/src.test\/v2\/lib\/app\/manifests\/1": response status code 500/,
    );
  } finally {
    await registry.stop();
  }
});

Deno.test("every failure kind a registry can cause is produced by some fault", () => {
  // the kinds the tests above assert, beside mismatch, internal and interrupted
  // (validate_test, signal_test): internal is a bug, never a registry's doing
  const covered: FailureKind[] = [
    "missing",
    "mismatch",
    "unauthorized",
    "denied",
    "tls",
    "proxy", // proxy_test.ts and proxy_integration_test.ts
    "network",
    "timeout",
    "rate-limited",
    "server",
    "invalid-manifest",
    "digest-mismatch",
    "not-a-registry",
  ];
  assert.deepEqual(
    FAILURE_KINDS.filter((k) => !covered.includes(k)),
    // the checks and sources of their own tests (deep_test, referrers_test,
    // snapshot_test, oci_layout_test), not registry faults
    [
      "blob-missing",
      "referrer-missing",
      "not-in-snapshot",
      "internal",
      "interrupted",
    ],
  );
});

async function digestOf(registry: OciRegistry): Promise<string> {
  const response = await registry.handler(
    new Request("http://x/v2/lib/app/manifests/1", { method: "HEAD" }),
  );
  return response.headers.get("docker-content-digest")!;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

Deno.test("RegistryClient warns once when RateLimit-Remaining runs low, then spaces out its requests", async () => {
  const left = [12, 9, 8, 7, 50, 49];
  const digest = `sha256:${"a".repeat(64)}`;
  const waits: number[] = [];
  const warnings: string[] = [];
  const client = new RegistryClient("docker.io", {
    fetch: () =>
      Promise.resolve(
        new Response(null, {
          headers: {
            "docker-content-digest": digest,
            "ratelimit-limit": "100;w=21600",
            "ratelimit-remaining": `${left.shift()};w=21600`,
          },
        }),
      ),
    warn: (line) => warnings.push(line),
    rateLimit: {
      now: () => 0,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    },
  });
  for (let i = 0; i < 6; i++) {
    await client.resolveManifest("library/alpine", "3");
  }
  assert.deepEqual(waits, [1000, 2000]);
  assert.deepEqual(warnings, [
    'Registry "docker.io" rate limit is low: 9 of 100 requests left per 21600s; slowing down to one request every 1s',
  ]);
});

Deno.test("main() says so on stderr when a registry's rate limit runs low", async () => {
  const w = await world();
  const { code, stdout, stderr } = await runOnList(`${LINE}\n${LINE}\n`, [], {
    fetch: async (request) => {
      const host = new URL(request.url).host;
      const answer = await (host === "src.test" ? w.src : w.dst).handler(
        request,
      );
      const headers = new Headers(answer.headers);
      if (host === "src.test") {
        headers.set("RateLimit-Remaining", "3;w=21600");
      }
      return new Response(answer.body, { status: answer.status, headers });
    },
  });
  assert.equal(code, 0);
  assert.equal(
    stripTime(stderr),
    '[WARN] Registry "src.test" rate limit is low: 3 requests left per 21600s; slowing down to one request every 1s\n',
  );
  assert.match(
    stdout,
    /Validated 2 lines in \S+: 2 passed, 0 skipped, 0 failed, 0 invalid, 0 not run/,
  );
});
