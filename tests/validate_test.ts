// The engine's steps with an in-memory ManifestSource: which requests each rule
// needs, rule order, de-duplication, timeout and interruption.

import assert from "node:assert/strict";
import { sha256Digest } from "../lib/types/digest.ts";
import { RegistryError } from "../lib/errors.ts";
import { type ListItem, parseListLine } from "../lib/list/image_list.ts";
import { MEDIA_TYPES } from "../lib/types/manifest.ts";
import { SCHEMA1_WARNING } from "../lib/verdict/compare.ts";
import {
  type ImageOutcome,
  type LineResult,
  type ManifestSource,
  validateImage,
  validateList,
} from "../lib/verdict/validate.ts";

const enc = new TextEncoder();
const SEL = { architectures: ["amd64", "arm64"], oses: ["linux"] };

/** A registry in memory that records every call. */
class FakeRegistry implements ManifestSource {
  manifests = new Map<string, { body: Uint8Array; mediaType: string }>();
  blobs = new Map<string, Uint8Array>();
  failures = new Map<string, RegistryError>();
  calls: string[] = [];
  hang = false;
  gates = new Map<string, Promise<void>>();
  /** Digests a HEAD announces instead of the stored one, by `repo:tag`. */
  announce = new Map<string, string>();
  /** Resolve like a registry whose HEAD has no digest: the GET body comes back. */
  headless = false;
  /** Errors thrown by the next call for a key, whatever their class. */
  throws = new Map<string, unknown>();

  put(ref: string, json: unknown, mediaType: string): Promise<string> {
    return this.putRaw(ref, JSON.stringify(json), mediaType);
  }
  async putRaw(ref: string, text: string, mediaType: string): Promise<string> {
    const body = enc.encode(text);
    const digest = await sha256Digest(body);
    this.manifests.set(ref, { body, mediaType });
    this.manifests.set(`${ref.split(":")[0]}@${digest}`, { body, mediaType });
    return digest;
  }
  async putBlob(json: unknown): Promise<{ digest: string; size: number }> {
    const body = enc.encode(JSON.stringify(json));
    const digest = await sha256Digest(body);
    this.blobs.set(digest, body);
    return { digest, size: body.length };
  }
  #key(repository: string, reference: string) {
    return reference.startsWith("sha256:")
      ? `${repository}@${reference}`
      : `${repository}:${reference}`;
  }
  async #find(repository: string, reference: string, signal?: AbortSignal) {
    const key = this.#key(repository, reference);
    await this.gates.get(key);
    if (this.hang) {
      await new Promise((_, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason), {
          once: true,
        })
      );
    }
    const failure = this.failures.get(key) ?? this.throws.get(key);
    if (failure) throw failure;
    const found = this.manifests.get(key);
    if (!found) {
      throw new RegistryError("missing", "manifest unknown", { status: 404 });
    }
    return { ...found, digest: await sha256Digest(found.body) };
  }
  async resolveManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ) {
    this.calls.push(`HEAD ${repository}:${reference}`);
    const found = await this.#find(repository, reference, signal);
    if (this.headless) return found;
    const announced = this.announce.get(`${repository}:${reference}`);
    return { digest: announced ?? found.digest, mediaType: found.mediaType };
  }
  getManifest(repository: string, reference: string, signal?: AbortSignal) {
    this.calls.push(`GET ${repository}:${reference}`);
    return this.#find(repository, reference, signal);
  }
  getBlob(repository: string, digest: string) {
    this.calls.push(`BLOB ${repository}:${digest}`);
    const blob = this.blobs.get(digest);
    return blob ? Promise.resolve(blob) : Promise.reject(
      new RegistryError("missing", "blob unknown", { status: 404 }),
    );
  }
}

async function singleImage(
  reg: FakeRegistry,
  ref: string,
  arch: string,
  seed: string,
) {
  const config = await reg.putBlob({ architecture: arch, os: "linux", seed });
  return reg.put(ref, {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      ...config,
    },
    layers: [],
  }, MEDIA_TYPES.ociManifest);
}

function indexOf(
  reg: FakeRegistry,
  ref: string,
  entries: [string, string][],
) {
  return reg.put(ref, {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: entries.map(([digest, arch]) => ({
      mediaType: MEDIA_TYPES.ociManifest,
      digest,
      size: 10,
      platform: { architecture: arch, os: "linux" },
    })),
  }, MEDIA_TYPES.ociIndex);
}

function setup() {
  const src = new FakeRegistry();
  const dst = new FakeRegistry();
  const clients = (registry: string) => (registry === "src.test" ? src : dst);
  const entry = (line: string) => {
    const item = parseListLine(line, 1, {
      source: "src.test",
      destination: "dst.test",
    });
    assert.ok(item?.kind === "image");
    return item;
  };
  return { src, dst, clients, entry };
}

function schema1Of(reg: FakeRegistry, ref: string, arch: string) {
  return reg.put(ref, {
    schemaVersion: 1,
    architecture: arch,
    history: [{ v1Compatibility: '{"os":"linux"}' }],
  }, MEDIA_TYPES.dockerSchema1Signed);
}

function verdictOf(outcome: ImageOutcome): string {
  const v = outcome.verdict;
  return v.status === "failed"
    ? `failed/${v.kind}: ${v.reason}`
    : `${v.status}: ${v.reason}`;
}

Deno.test("validateImage() stops after one HEAD per side when digests are equal", async () => {
  const { src, dst, clients, entry } = setup();
  await singleImage(src, "a/b:1", "amd64", "x");
  await singleImage(dst, "a/b:1", "amd64", "x");
  const outcome = await validateImage(entry("a/b:1"), {
    clients,
    selection: SEL,
  });
  assert.equal(verdictOf(outcome), "passed: identical");
  assert.deepEqual(src.calls, ["HEAD a/b:1"]);
  assert.deepEqual(dst.calls, ["HEAD a/b:1"]);
});

Deno.test("validateImage() reads each index once and no child for a per-platform comparison", async () => {
  const { src, dst, clients, entry } = setup();
  const amd = await singleImage(src, "a/b:amd", "amd64", "1");
  const arm = await singleImage(src, "a/b:arm", "arm64", "2");
  await indexOf(src, "a/b:1", [[amd, "amd64"], [arm, "arm64"], [amd, "s390x"]]);
  const dstDigest = await indexOf(dst, "a/b:1", [[amd, "amd64"], [
    arm,
    "arm64",
  ]]);
  const outcome = await validateImage(entry("a/b:1"), {
    clients,
    selection: SEL,
  });
  assert.equal(verdictOf(outcome), "passed: all selected platforms match");
  assert.equal(src.calls.length, 2);
  assert.deepEqual(dst.calls, ["HEAD a/b:1", `GET a/b:${dstDigest}`]);
});

Deno.test("validateImage() reads the source config only for a single image", async () => {
  const { src, dst, clients, entry } = setup();
  const digest = await singleImage(src, "a/b:1", "amd64", "1");
  await indexOf(dst, "a/b:1", [[digest, "amd64"]]);
  const outcome = await validateImage(entry("a/b:1"), {
    clients,
    selection: SEL,
  });
  assert.equal(verdictOf(outcome), "passed: all selected platforms match");
  assert.equal(src.calls.filter((c) => c.startsWith("BLOB")).length, 1);
});

Deno.test("validateImage() applies the rules in order", async (t) => {
  await t.step("source missing wins over destination missing", async () => {
    const { clients, entry } = setup();
    assert.equal(
      verdictOf(
        await validateImage(entry("a/b:1"), { clients, selection: SEL }),
      ),
      "failed/missing: source manifest does not exist",
    );
  });
  await t.step("a skip wins over a missing destination", async () => {
    const { src, clients, entry } = setup();
    await singleImage(src, "a/b:1", "s390x", "1");
    assert.equal(
      verdictOf(
        await validateImage(entry("a/b:1"), { clients, selection: SEL }),
      ),
      "skipped: no image available for the specified arch & OS list",
    );
  });
  await t.step("destination missing", async () => {
    const { src, clients, entry } = setup();
    await singleImage(src, "a/b:1", "amd64", "1");
    assert.equal(
      verdictOf(
        await validateImage(entry("a/b:1"), { clients, selection: SEL }),
      ),
      "failed/missing: destination manifest does not exist",
    );
  });
  await t.step(
    "an error that is not a 404 names its cause, never missing",
    async () => {
      const { src, dst, clients, entry } = setup();
      await singleImage(src, "a/b:1", "amd64", "1");
      dst.failures.set(
        "a/b:1",
        new RegistryError(
          "unauthorized",
          'HEAD "https://dst.test/v2/a/b/manifests/1": response status code 401',
          { status: 401 },
        ),
      );
      assert.equal(
        verdictOf(
          await validateImage(entry("a/b:1"), { clients, selection: SEL }),
        ),
        'failed/unauthorized: destination: HEAD "https://dst.test/v2/a/b/manifests/1": response status code 401',
      );
      src.failures.set(
        "a/b:1",
        new RegistryError("server", "response status code 503", {
          status: 503,
        }),
      );
      assert.equal(
        verdictOf(
          await validateImage(entry("a/b:1"), { clients, selection: SEL }),
        ),
        "failed/server: source: response status code 503",
      );
    },
  );
  await t.step(
    "a malformed source manifest is an invalid-manifest FAIL",
    async () => {
      const { src, dst, clients, entry } = setup();
      await src.putRaw("a/b:1", "<html>oops</html>", "text/html");
      await singleImage(dst, "a/b:1", "amd64", "1");
      const verdict = verdictOf(
        await validateImage(entry("a/b:1"), { clients, selection: SEL }),
      );
      assert.match(
        verdict,
        /^failed\/invalid-manifest: source: manifest is invalid: /,
      );
    },
  );
});

async function collect(
  items: ListItem[],
  options: Partial<Parameters<typeof validateList>[1]> & {
    clients: Parameters<typeof validateList>[1]["clients"];
  },
) {
  const out: LineResult[] = [];
  for await (const r of validateList(items, options)) out.push(r);
  return out.sort((a, b) => a.line - b.line);
}

function lines(texts: string[]): ListItem[] {
  return texts.map((t, i) =>
    parseListLine(t, i + 1, { source: "src.test", destination: "dst.test" })!
  );
}

Deno.test("validateList() validates a repeated pair once and reports every line", async () => {
  const { src, dst, clients } = setup();
  await singleImage(src, "a/b:1", "amd64", "x");
  await singleImage(dst, "a/b:1", "amd64", "x");
  const results = await collect(lines(["a/b:1", "a/b:1", "A b c d", "a/b:1"]), {
    clients,
    jobs: 3,
  });
  assert.deepEqual(
    results.map((r) =>
      r.kind === "image"
        ? `${r.id}:${r.outcome?.verdict.status}`
        : `invalid@${r.line}`
    ),
    [
      "1:passed",
      "2:passed",
      "invalid@3",
      "3:passed",
    ],
  );
  assert.deepEqual(src.calls, ["HEAD a/b:1"]);
});

Deno.test("validateList() fails an image that exceeds the timeout with kind timeout", async () => {
  const { src, clients } = setup();
  src.hang = true;
  const results = await collect(lines(["a/b:1"]), { clients, timeoutMs: 20 });
  const r = results[0]!;
  assert.ok(r.kind === "image");
  // the side in flight reports the limit (a RegistryClient also names the request)
  assert.deepEqual(r.outcome?.verdict, {
    status: "failed",
    kind: "timeout",
    reason: "source: timed out after 20ms",
  });
});

Deno.test("validateList() on interruption starts nothing new and yields the rest as not run", async () => {
  const { src, dst, clients } = setup();
  await singleImage(src, "a/b:1", "amd64", "x");
  await singleImage(dst, "a/b:1", "amd64", "x");
  const controller = new AbortController();
  const out: LineResult[] = [];
  for await (
    const r of validateList(lines(["a/b:1", "a/c:1", "x y z w", "a/d:1"]), {
      clients,
      signal: controller.signal,
      graceMs: 0,
    })
  ) {
    out.push(r);
    controller.abort();
  }
  assert.deepEqual(
    out.map((r) =>
      r.kind === "image"
        ? `${r.line}:${r.outcome?.verdict.status ?? "not-run"}`
        : `${r.line}:invalid`
    ),
    [
      "1:passed",
      "2:not-run",
      "3:invalid",
      "4:not-run",
    ],
  );
});

Deno.test("validateList() abandons an image in flight after the grace period", async () => {
  const { src, clients } = setup();
  src.hang = true;
  const controller = new AbortController();
  const pending = collect(lines(["a/b:1", "a/c:1"]), {
    clients,
    signal: controller.signal,
    graceMs: 10,
  });
  await Promise.resolve();
  controller.abort();
  const results = await pending;
  assert.deepEqual(
    results.map((r) => r.kind === "image" && r.outcome === undefined),
    [true, true],
  );
});

Deno.test("validateList() lets repeats of a pair in flight wait without a job slot", async () => {
  const { src, dst, clients } = setup();
  for (const reg of [src, dst]) {
    await singleImage(reg, "a/b:1", "amd64", "x");
    await singleImage(reg, "a/c:1", "amd64", "y");
  }
  let release = () => {};
  src.gates.set("a/b:1", new Promise((resolve) => (release = resolve)));
  const results = validateList(
    lines(["a/b:1", "a/b:1", "a/b:1", "a/c:1"]),
    { clients, jobs: 2 },
  );
  const first = (await results.next()).value as LineResult;
  assert.equal(
    `${first.line}:${first.kind === "image" && first.outcome?.verdict.status}`,
    "4:passed",
  );
  release();
  const rest: string[] = [];
  for await (const r of results) {
    rest.push(`${r.line}:${r.kind === "image" && r.outcome?.verdict.status}`);
  }
  assert.deepEqual(rest.sort(), ["1:passed", "2:passed", "3:passed"]);
  assert.deepEqual(src.calls.filter((c) => c.startsWith("HEAD")), [
    "HEAD a/b:1",
    "HEAD a/c:1",
  ]);
});

Deno.test("validateImage() reads the destination config for a schema1 source (rule 7)", async (t) => {
  await t.step(
    "the same platform passes with the schema1 warning",
    async () => {
      const { src, dst, clients, entry } = setup();
      await schema1Of(src, "a/b:1", "amd64");
      const digest = await singleImage(dst, "a/b:1", "amd64", "x");
      const config = [...dst.blobs.keys()][0]!;
      const outcome = await validateImage(entry("a/b:1"), {
        clients,
        selection: SEL,
      });
      assert.deepEqual(outcome.verdict, {
        status: "passed",
        reason: "platform present",
        warnings: [SCHEMA1_WARNING],
      });
      assert.deepEqual(dst.calls, [
        "HEAD a/b:1",
        `GET a/b:${digest}`,
        `BLOB a/b:${config}`,
      ]);
      assert.equal(
        JSON.stringify(outcome.dstSpec),
        `[{"digest":"${digest}","platform":{"architecture":"amd64","os":"linux"}}]`,
      );
    },
  );
  await t.step("another platform fails and names the missing one", async () => {
    const { src, dst, clients, entry } = setup();
    await schema1Of(src, "a/b:1", "amd64");
    await singleImage(dst, "a/b:1", "arm64", "x");
    assert.equal(
      verdictOf(
        await validateImage(entry("a/b:1"), { clients, selection: SEL }),
      ),
      "failed/mismatch: platform mismatch: linux/amd64 missing in destination",
    );
  });
});

Deno.test("validateImage() falls back to the tag when the announced digest cannot be fetched", async (t) => {
  async function mirror() {
    const w = setup();
    const amd = await singleImage(w.src, "a/b:amd", "amd64", "1");
    const arm = await singleImage(w.src, "a/b:arm", "arm64", "2");
    await indexOf(w.src, "a/b:1", [[amd, "amd64"], [arm, "arm64"], [
      amd,
      "s390x",
    ]]);
    const dstDigest = await indexOf(w.dst, "a/b:1", [[amd, "amd64"], [
      arm,
      "arm64",
    ]]);
    w.dst.manifests.delete(`a/b@${dstDigest}`);
    return { ...w, dstDigest };
  }
  await t.step("the tag serves the announced digest: compared", async () => {
    const { dst, clients, entry, dstDigest } = await mirror();
    const outcome = await validateImage(entry("a/b:1"), {
      clients,
      selection: SEL,
    });
    assert.equal(verdictOf(outcome), "passed: all selected platforms match");
    assert.deepEqual(dst.calls, [
      "HEAD a/b:1",
      `GET a/b:${dstDigest}`,
      "GET a/b:1",
    ]);
  });
  await t.step("the tag serves another digest: digest-mismatch", async () => {
    const { dst, clients, entry, dstDigest } = await mirror();
    const other = `sha256:${"0".repeat(64)}`;
    dst.announce.set("a/b:1", other);
    const outcome = await validateImage(entry("a/b:1"), {
      clients,
      selection: SEL,
    });
    assert.equal(
      verdictOf(outcome),
      `failed/digest-mismatch: destination: registry announced ${other} for "1" but serves ${dstDigest}`,
    );
  });
});

Deno.test("validateImage() reuses the body a HEAD fallback read instead of a second GET", async () => {
  const { src, dst, clients, entry } = setup();
  src.headless = true;
  dst.headless = true;
  await singleImage(src, "a/b:1", "amd64", "1");
  await indexOf(dst, "a/b:1", [[
    await singleImage(dst, "x:1", "amd64", "1"),
    "amd64",
  ]]);
  const outcome = await validateImage(entry("a/b:1"), {
    clients,
    selection: SEL,
  });
  assert.equal(verdictOf(outcome), "passed: all selected platforms match");
  assert.deepEqual(src.calls.filter((c) => !c.startsWith("BLOB")), [
    "HEAD a/b:1",
  ]);
  assert.deepEqual(dst.calls, ["HEAD a/b:1"]);
});

Deno.test("validateImage() gives a single destination image its platform in dstSpec", async () => {
  const { src, dst, clients, entry } = setup();
  const amd = await singleImage(src, "a/b:amd", "amd64", "1");
  const arm = await singleImage(src, "a/b:arm", "arm64", "2");
  await indexOf(src, "a/b:1", [[amd, "amd64"], [arm, "arm64"]]);
  const other = await singleImage(dst, "a/b:1", "arm64", "3");
  const outcome = await validateImage(entry("a/b:1"), {
    clients,
    selection: { architectures: ["amd64"], oses: ["linux"] },
  });
  assert.equal(
    verdictOf(outcome),
    `failed/mismatch: digest mismatch: source ${amd} != destination ${other}`,
  );
  assert.equal(
    JSON.stringify([outcome.srcSpec, outcome.dstSpec]),
    `[[{"digest":"${amd}","platform":{"architecture":"amd64","os":"linux"}}],` +
      `[{"digest":"${other}","platform":{"architecture":"arm64","os":"linux"}}]]`,
  );
});

Deno.test("validateImage() reports a timeout error as kind timeout", async () => {
  const { src, dst, clients, entry } = setup();
  await singleImage(src, "a/b:1", "amd64", "1");
  dst.throws.set(
    "a/b:1",
    new DOMException("Signal timed out.", "TimeoutError"),
  );
  assert.equal(
    verdictOf(await validateImage(entry("a/b:1"), { clients, selection: SEL })),
    "failed/timeout: destination: Signal timed out.",
  );
});

Deno.test("validateImage() reports a programming error as kind internal with its stack", async () => {
  const { src, dst, clients, entry } = setup();
  await singleImage(dst, "a/b:1", "amd64", "1");
  const bug = new TypeError("Cannot read properties of undefined");
  src.throws.set("a/b:1", bug);
  const outcome = await validateImage(entry("a/b:1"), {
    clients,
    selection: SEL,
  });
  assert.deepEqual(outcome.verdict, {
    status: "failed",
    kind: "internal",
    reason:
      "source: internal error: TypeError: Cannot read properties of undefined",
    stack: bug.stack,
  });
});

Deno.test("validateList() reports an error thrown outside the registry calls as kind internal", async () => {
  const results = await collect(lines(["a/b:1"]), {
    clients: () => {
      throw new RangeError("no client");
    },
  });
  const r = results[0]!;
  assert.ok(r.kind === "image" && r.outcome?.verdict.status === "failed");
  assert.equal(r.outcome.verdict.kind, "internal");
  assert.equal(
    r.outcome.verdict.reason,
    "internal error: RangeError: no client",
  );
  assert.match(r.outcome.verdict.stack ?? "", /^RangeError: no client\n +at /);
});

Deno.test("validateList() clamps jobs to 20 as the CLI does", async () => {
  let inFlight = 0;
  let most = 0;
  const waiting: (() => void)[] = [];
  const resolved = { digest: `sha256:${"a".repeat(64)}`, mediaType: "x" };
  const side = (counted: boolean): ManifestSource => ({
    resolveManifest() {
      if (!counted) return Promise.resolve(resolved);
      most = Math.max(most, ++inFlight);
      // Answer once every start the engine makes without waiting is made:
      // a task runs only after all pending microtasks.
      if (waiting.length === 0) {
        setTimeout(() => waiting.splice(0).forEach((release) => release()));
      }
      return new Promise<void>((resolve) => waiting.push(resolve)).then(() => {
        inFlight--;
        return resolved;
      });
    },
    getManifest: () => Promise.reject(new Error("not used")),
    getBlob: () => Promise.reject(new Error("not used")),
  });
  const source = side(true);
  const destination = side(false);
  const texts = Array.from({ length: 40 }, (_, i) => `a/b${i}:1`);
  const results = await collect(lines(texts), {
    clients: (_registry, which) => which === "source" ? source : destination,
    jobs: 50,
  });
  assert.equal(results.length, 40);
  assert.equal(most, 20);
});
