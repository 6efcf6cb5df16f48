// A registry that accepts connections and never answers (a real socket from
// listenSilently): each attempt costs one connect/first-byte limit, three in a
// row mark the host as stopped, and the rest of its images fail at once.

import assert from "node:assert/strict";
import { parseListLine } from "../lib/list/image_list.ts";
import { RegistryClient } from "../lib/registry/client.ts";
import { connectTimeout } from "../lib/registry/_transport_stack.ts";
import { type ClientFactory, validateList } from "../lib/verdict/validate.ts";
import { runOnList, stripTime } from "./support/cli_run.ts";
import { listenSilently } from "./support/fault_registry.ts";
import { serveHandler } from "./support/_serve.ts";
import { OciRegistry } from "./support/oci_server.ts";
import { seedImage } from "./support/seed.ts";

const LIMIT_MS = 300;
/** The CLI's limit applies to the source too (served, after a TLS fallback): a margin for slow machines. */
const CLI_LIMIT_MS = 1000;
const IMAGES = 6;

/** An in-memory source registry holding lib/app:1. */
async function sourceRegistry(): Promise<OciRegistry> {
  const registry = new OciRegistry({ name: "src" });
  await seedImage("http://x.test", { repository: "lib/app", tag: "1" }, {
    kind: "image",
    format: "oci",
    platform: { architecture: "amd64", os: "linux" },
  }, { fetch: (r) => registry.handler(r) });
  return registry;
}

/** Six distinct lines from src.test to the silent host. */
function lines(host: string): string[] {
  return Array.from(
    { length: IMAGES },
    (_, i) => `src.test/lib/app ${host}/lib/app${i + 1} 1`,
  );
}

Deno.test("connectTimeout() defaults to 15s, so a stopped host costs 3 x 15s plus backoff, under a minute", () => {
  assert.equal(connectTimeout({}), 15_000);
  assert.equal(connectTimeout({ requestTimeoutMs: 60_000 }), 15_000);
  assert.equal(connectTimeout({ requestTimeoutMs: LIMIT_MS }), LIMIT_MS);
  // 3 timeouts, then backoffs of at most 500 and 1000 ms: the first image
  // ends after at most 46.5 s and every later one at once
  assert.ok(3 * connectTimeout({}) + 500 + 1000 < 60_000);
});

Deno.test("validateList() against a host that never answers: 3 timed-out attempts, then the other images fail at once", async () => {
  const silent = listenSilently();
  try {
    const source = await sourceRegistry();
    const sleeps: number[] = [];
    const made = new Map<string, RegistryClient>();
    const clients: ClientFactory = (registry, side) => {
      const key = `${side} ${registry}`;
      let client = made.get(key);
      if (client === undefined) {
        client = new RegistryClient(registry, {
          fetch: (request) => {
            if (new URL(request.url).host === "src.test") {
              return source.handler(request);
            }
            return fetch(request.url.replace(/^https:/, "http:"), {
              method: request.method,
              headers: request.headers,
              signal: request.signal,
            });
          },
          connectTimeoutMs: LIMIT_MS,
          retry: {
            random: () => 1,
            sleep: (ms) => {
              sleeps.push(ms);
              return Promise.resolve();
            },
          },
        });
        made.set(key, client);
      }
      return client;
    };
    const items = lines(silent.host).map((line, i) =>
      parseListLine(line, i + 1)!
    );
    const started = performance.now();
    const reasons: string[] = [];
    for await (
      const result of validateList(items, { clients, oses: ["linux"], jobs: 1 })
    ) {
      assert.ok(result.kind === "image");
      const verdict = result.outcome?.verdict;
      assert.ok(verdict?.status === "failed");
      assert.equal(verdict.kind, "timeout");
      reasons.push(verdict.reason);
    }
    const elapsed = performance.now() - started;
    const stopped =
      `destination: Registry "${silent.host}" stopped answering: 3 requests in a row got no answer within ${LIMIT_MS}ms`;
    assert.deepEqual(reasons, Array(IMAGES).fill(stopped));
    assert.equal(silent.connections, 3);
    assert.deepEqual(sleeps, [500, 1000]);
    // 3 limits of 300 ms and no wait per later image
    assert.ok(elapsed < 3 * LIMIT_MS + 2000, `took ${elapsed} ms`);
  } finally {
    await silent.close();
  }
});

Deno.test("main() against a destination that never answers prints the stopped-answering FAIL for each of 6 lines at -j 1", async () => {
  const silent = listenSilently();
  const source = await sourceRegistry();
  const served = serveHandler(source.handler);
  try {
    const list = lines(silent.host).map((line) =>
      line.replace("src.test", served.host)
    );
    const started = performance.now();
    const { code, stdout, stderr, failed } = await runOnList(
      list.join("\n") + "\n",
      ["-j", "1", "--os", "linux", "--src-tls-verify=false"],
      { now: () => new Date(0), requestTimeoutMs: CLI_LIMIT_MS },
    );
    const elapsed = performance.now() - started;
    assert.equal(code, 1, stderr);
    const expected = list.map((line, i) => {
      const [src, dst, tag] = line.split(" ");
      return `[ERRO] [M_ID:${
        i + 1
      }] FAILED [${src}:${tag}] => [${dst}:${tag}]: destination: Registry "${silent.host}" stopped answering: 3 requests in a row got no answer within 1s`;
    });
    assert.deepEqual(
      stripTime(stderr).split("\n").filter((l) => l.includes("[ERRO]")),
      expected,
    );
    assert.match(stdout, /6 failed/);
    assert.equal(silent.connections, 3);
    assert.equal(failed, list.join("\n") + "\n");
    // 3 limits plus the real backoff (at most 0.5 s + 1 s)
    assert.ok(elapsed < 3 * CLI_LIMIT_MS + 1500 + 2000, `took ${elapsed} ms`);
  } finally {
    await served.close();
    await silent.close();
  }
});
