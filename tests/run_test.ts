// runValidation() with a recording reporter: the exact calls a reporter gets
// (results, interrupt notices, one summary), the failed file it writes or
// removes, and the exit code. Registries are the in-process OCI server behind
// the real registry client.

import assert from "node:assert/strict";
import { createClientFactory } from "../lib/registry/clients.ts";
import type { Fetch } from "../lib/transport/fetch.ts";
import type { Platform } from "../lib/types/platform.ts";
import type {
  Reporter,
  RunNotice,
  RunSummary,
} from "../lib/report/reporter.ts";
import { EXIT, type RunOptions, runValidation } from "../lib/run/run.ts";
import type { LineResult } from "../lib/verdict/validate.ts";
import { OciRegistry } from "./support/oci_server.ts";
import { seedImage } from "./support/seed.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const S390X: Platform = { architecture: "s390x", os: "linux" };
const PASS = "src.test/lib/a dst.test/lib/a 1";
const FAIL = "src.test/lib/b dst.test/lib/b 1"; // not mirrored
const SKIP = "src.test/lib/c dst.test/lib/c 1"; // an s390x-only index
const INVALID = "src.test/lib/a dst.test/lib/a";

/** What a reporter was called with, in order; results as "line status". */
type Call =
  | { result: string }
  | { notice: RunNotice }
  | { summary: Omit<RunSummary, "durationMs"> };

function recorder(): Reporter & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    onResult: (result) => calls.push({ result: describe(result) }),
    onNotice: (notice) => calls.push({ notice }),
    onSummary: ({ durationMs, ...summary }) => {
      assert.ok(durationMs >= 0);
      calls.push({ summary });
    },
  };
}

function describe(result: LineResult): string {
  if (result.kind === "invalid") return `${result.line} invalid`;
  return `${result.line} ${result.outcome?.verdict.status ?? "not run"}`;
}

/**
 * src.test holds lib/a, lib/b and lib/c; dst.test holds the same lib/a and
 * another build of lib/c (the same digest would pass before any skip).
 */
async function registries(): Promise<Fetch> {
  const src = new OciRegistry({ name: "src" });
  const dst = new OciRegistry({ name: "dst" });
  for (
    const [registry, repository, platform, seed] of [
      [src, "lib/a", AMD64, "a"],
      [dst, "lib/a", AMD64, "a"],
      [src, "lib/b", AMD64, "b"],
      [src, "lib/c", S390X, "c"],
      [dst, "lib/c", S390X, "another c"],
    ] as const
  ) {
    await seedImage("http://x", { repository, tag: "1" }, {
      kind: "index",
      format: "oci",
      platforms: [platform],
      seed,
    }, { fetch: (r) => registry.handler(r) });
  }
  return (request: Request) => {
    const host = new URL(request.url).host;
    if (host === "src.test") return src.handler(request);
    if (host === "dst.test") return dst.handler(request);
    return Promise.reject(new TypeError(`connection refused: ${host}`));
  };
}

async function run(
  lines: string[],
  fetch: Fetch,
  options: Partial<RunOptions> & { failedFile: string },
) {
  const clients = createClientFactory({
    fetch,
    tlsVerify: false,
    credentials: { env: {}, home: "/nonexistent" },
  });
  const reporter = recorder();
  try {
    const result = await runValidation({
      list: new Blob([lines.map((line) => `${line}\n`).join("")]).stream(),
      clients,
      architectures: ["amd64"],
      oses: ["linux"],
      ...options,
    }, reporter);
    return { ...result, calls: reporter.calls };
  } finally {
    clients.close();
  }
}

const SELECTION = { architectures: ["amd64"], oses: ["linux"] };

Deno.test("runValidation() reports each result, then one summary, and writes the failed lines", async () => {
  const dir = await Deno.makeTempDir();
  const failedFile = `${dir}/failed.txt`;
  const result = await run(
    [PASS, FAIL, "# comment", SKIP, INVALID],
    await registries(),
    { failedFile },
  );
  const tally = { passed: 1, skipped: 1, failed: 1, invalid: 1, notRun: 0 };
  assert.deepEqual(result.calls, [
    { result: "1 passed" },
    { result: "2 failed" },
    { result: "4 skipped" },
    { result: "5 invalid" },
    {
      summary: {
        tally,
        interrupted: false,
        selection: SELECTION,
        failedFile: { path: failedFile, written: 1, failed: 1, notRun: 0 },
      },
    },
  ]);
  assert.equal(result.code, EXIT.failed);
  assert.equal(await Deno.readTextFile(failedFile), `${FAIL}\n`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runValidation() of passing, failing, skipped and invalid lines never calls the global setTimeout or clearTimeout (Deno's Node timers cost 12-15 ms to load)", async () => {
  const dir = await Deno.makeTempDir();
  const fetch = await registries();
  const saved = [globalThis.setTimeout, globalThis.clearTimeout] as const;
  const called: string[] = [];
  globalThis.setTimeout = ((..._: unknown[]) => {
    called.push("setTimeout");
    return saved[0](() => {}, 0);
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((id?: number) => {
    called.push("clearTimeout");
    saved[1](id);
  }) as typeof clearTimeout;
  try {
    const result = await run([PASS, FAIL, SKIP, INVALID], fetch, {
      failedFile: `${dir}/failed.txt`,
    });
    assert.equal(result.code, EXIT.failed);
  } finally {
    [globalThis.setTimeout, globalThis.clearTimeout] = saved;
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(called, []);
});

Deno.test("runValidation() removes an old failed file after a run with nothing to retry", async () => {
  const dir = await Deno.makeTempDir();
  const failedFile = `${dir}/failed.txt`;
  await Deno.writeTextFile(failedFile, `${FAIL}\n`);
  const result = await run([PASS, SKIP], await registries(), { failedFile });
  assert.deepEqual(result.calls.at(-1), {
    summary: {
      tally: { passed: 1, skipped: 1, failed: 0, invalid: 0, notRun: 0 },
      interrupted: false,
      selection: SELECTION,
      failedFile: { path: failedFile, written: 0, failed: 0, notRun: 0 },
    },
  });
  assert.equal(result.code, EXIT.ok);
  await assert.rejects(Deno.stat(failedFile), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runValidation() of a list with no image reports an empty summary, exits 2 and leaves the failed file", async () => {
  const dir = await Deno.makeTempDir();
  const failedFile = `${dir}/failed.txt`;
  await Deno.writeTextFile(failedFile, `${FAIL}\n`);
  const fetch = () => Promise.reject(new Error("no request expected"));
  const result = await run(["# only a comment", ""], fetch, { failedFile });
  assert.deepEqual(result.calls, [{
    summary: {
      tally: { passed: 0, skipped: 0, failed: 0, invalid: 0, notRun: 0 },
      interrupted: false,
      selection: SELECTION,
    },
  }]);
  assert.equal(result.code, EXIT.usage);
  assert.equal(await Deno.readTextFile(failedFile), `${FAIL}\n`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runValidation() reports both interrupts, counts unchecked images as not run and writes them to the failed file", async () => {
  const dir = await Deno.makeTempDir();
  const failedFile = `${dir}/failed.txt`;
  const interrupt = new AbortController();
  const abandon = new AbortController();
  const registry = await registries();
  // The first image's first request interrupts twice, then waits for its
  // abort: the first image is abandoned in flight, the others never start.
  const fetch = (request: Request) => {
    if (interrupt.signal.aborted) return registry(request);
    interrupt.abort();
    abandon.abort();
    return new Promise<Response>((_, reject) => {
      const signal = request.signal;
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason));
    });
  };
  const result = await run([FAIL, PASS, SKIP], fetch, {
    failedFile,
    signal: interrupt.signal,
    abandon: abandon.signal,
  });
  assert.deepEqual(result.calls, [
    { notice: { kind: "interrupted" } },
    { notice: { kind: "interrupted-again" } },
    { result: "1 not run" },
    { result: "2 not run" },
    { result: "3 not run" },
    {
      summary: {
        tally: { passed: 0, skipped: 0, failed: 0, invalid: 0, notRun: 3 },
        interrupted: true,
        selection: SELECTION,
        failedFile: { path: failedFile, written: 3, failed: 0, notRun: 3 },
      },
    },
  ]);
  assert.equal(result.code, EXIT.interrupted);
  assert.equal(
    await Deno.readTextFile(failedFile),
    `${FAIL}\n${PASS}\n${SKIP}\n`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runValidation() reports a failed file it cannot write and exits 2", {
  ignore: Deno.build.os === "windows", // the message is the OS's
}, async () => {
  const dir = await Deno.makeTempDir();
  const failedFile = `${dir}/missing/failed.txt`;
  const result = await run([FAIL], await registries(), { failedFile });
  const last = result.calls.at(-1);
  assert.ok(last !== undefined && "summary" in last);
  assert.deepEqual(last.summary.failedFile, {
    path: failedFile,
    written: 0,
    failed: 1,
    notRun: 0,
    writeError: "no such file",
  });
  assert.equal(result.code, EXIT.usage);
  await Deno.remove(dir, { recursive: true });
});
