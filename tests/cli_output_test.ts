// What main() prints for results: srcSpec / dstSpec content, --debug,
// colour on a terminal and NO_COLOR, and the failed-file line after an
// interruption. Registries are the in-process OCI server, passed as fetch.

import assert from "node:assert/strict";
import type { Platform } from "../lib/types/platform.ts";
import { runOnList, stripTime, timeless } from "./support/cli_run.ts";
import type { OciRegistry } from "./support/oci_server.ts";
import { indexBody, pushManifest, seedImage } from "./support/seed.ts";
import { twoRegistries } from "./support/two_registries.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };
const S390X: Platform = { architecture: "s390x", os: "linux" };
const ESC = "\x1b";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

interface RunOptions {
  fetch: (r: Request) => Promise<Response>;
  env?: Record<string, string>;
  isTerminal?: boolean;
  /** Called with each stderr text; may abort `signal`. */
  onStderr?: (text: string) => void;
  signal?: AbortSignal;
}

async function run(list: string, flags: string[], options: RunOptions) {
  const raw = await runOnList(list, ["--tls-verify=false", ...flags], {
    ...(options.onStderr ? { stderr: options.onStderr } : {}),
    env: options.env ?? {},
    isTerminal: options.isTerminal ?? false,
    fetch: options.fetch,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const { code, stdout, stderr } = timeless(raw);
  return {
    code,
    stdout,
    stderr,
    rawStdout: raw.stdout,
    rawStderr: raw.stderr,
    failed: raw.failed ?? "",
    dir: raw.dir,
  };
}

/**
 * src.test holds lib/app:1 (a Docker list of amd64, arm64, s390x); dst.test
 * holds lib/legacy:1 (the amd64 and arm64 entries only: passes) and
 * lib/stale:1 (amd64, an arm64 image built from another seed, s390x: fails).
 */
async function world() {
  const { src, dst, fetch } = twoRegistries();
  const into = (reg: OciRegistry) => ({
    fetch: (r: Request) => reg.handler(r),
  });
  const app = await seedImage("http://x", { repository: "lib/app", tag: "1" }, {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64, S390X],
    seed: "app",
  }, into(src));
  await seedImage("http://x", { repository: "lib/legacy", tag: "full" }, {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64, S390X],
    seed: "app",
  }, into(dst));
  const [amd, arm] = app.children;
  await pushManifest(
    "http://x",
    { repository: "lib/legacy", reference: "1" },
    indexBody("docker", [amd!, arm!]),
    DOCKER_LIST,
    into(dst),
  );
  const old = await seedImage("http://x", {
    repository: "lib/stale",
    tag: "old",
  }, {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64],
    seed: "old",
  }, into(dst));
  await seedImage("http://x", { repository: "lib/stale", tag: "full" }, {
    kind: "index",
    format: "docker",
    platforms: [AMD64, S390X],
    seed: "app",
  }, into(dst));
  await pushManifest(
    "http://x",
    { repository: "lib/stale", reference: "1" },
    indexBody("docker", [amd!, old.children[1]!, app.children[2]!]),
    DOCKER_LIST,
    into(dst),
  );
  return { fetch, amd: amd!, arm: arm!, staleArm: old.children[1]! };
}

function specBlock(specs: { digest: string; platform: Platform }[]): string {
  return JSON.stringify(specs, null, 2);
}

const LEGACY = "src.test/lib/app dst.test/lib/legacy 1\n";
const STALE = "src.test/lib/app dst.test/lib/stale 1\n";

Deno.test("main() prints srcSpec and dstSpec of a failed image at ERRO: selected entries only", async () => {
  const w = await world();
  const result = await run(STALE, [], w);
  assert.equal(result.code, 1);
  const src = specBlock([
    { digest: w.amd.digest, platform: AMD64 },
    { digest: w.arm.digest, platform: ARM64 },
  ]);
  const dst = specBlock([
    { digest: w.amd.digest, platform: AMD64 },
    { digest: w.staleArm.digest, platform: ARM64 },
  ]);
  assert.equal(
    result.stderr,
    `[ERRO] [M_ID:1] srcSpec: ${src}\n` +
      `[ERRO] [M_ID:1] dstSpec: ${dst}\n` +
      `[ERRO] [M_ID:1] FAILED [src.test/lib/app:1] => [dst.test/lib/stale:1]: platform mismatch: linux/arm64 source ${w.arm.digest} != destination ${w.staleArm.digest}\n`,
  );
});

Deno.test("main() --debug prints srcSpec and dstSpec of a passed image at DEBU", async () => {
  const w = await world();
  const specs = `[DEBU] [M_ID:1] srcSpec: ${
    specBlock([
      { digest: w.amd.digest, platform: AMD64 },
      { digest: w.arm.digest, platform: ARM64 },
    ])
  }\n[DEBU] [M_ID:1] dstSpec: ${
    specBlock([
      { digest: w.amd.digest, platform: AMD64 },
      { digest: w.arm.digest, platform: ARM64 },
    ])
  }\n[INFO] [M_ID:1] PASS [src.test/lib/app:1] == [dst.test/lib/legacy:1]\n`;
  const debug = await run(LEGACY, ["--debug"], w);
  assert.equal(debug.code, 0, debug.stderr);
  assert.ok(debug.stdout.includes(specs), debug.stdout);
  const plain = await run(LEGACY, [], w);
  assert.equal(plain.code, 0);
  assert.doesNotMatch(plain.stdout, /srcSpec|dstSpec|DEBU/);
});

Deno.test("main() colours levels on a terminal, and never with NO_COLOR", async () => {
  const w = await world();
  const coloured = await run(LEGACY + STALE, [], { ...w, isTerminal: true });
  const pass = stripTime(coloured.rawStdout).split("\n").find((l) =>
    l.includes("[M_ID:1] PASS ")
  );
  assert.ok(pass?.startsWith(`[${ESC}[36mINFO${ESC}[0m] [M_ID:1] PASS `), pass);
  const fail = stripTime(coloured.rawStderr).split("\n").find((l) =>
    l.includes("[M_ID:2] FAILED ")
  );
  assert.ok(
    fail?.startsWith(`[${ESC}[31mERRO${ESC}[0m] [M_ID:2] FAILED `),
    fail,
  );
  const plain = await run(LEGACY + STALE, [], {
    ...w,
    isTerminal: true,
    env: { NO_COLOR: "1" },
  });
  assert.equal(plain.code, 1);
  assert.match(plain.stdout, /^\[INFO\] \[M_ID:1\] PASS /m);
  assert.equal((plain.rawStdout + plain.rawStderr).includes(ESC), false);
});

Deno.test("main() after an interruption says how many failed and not-run lines it wrote", async () => {
  const w = await world();
  const controller = new AbortController();
  const list = STALE + LEGACY + "src.test/lib/app dst.test/lib/other 1\n";
  const result = await run(list, ["-j", "1"], {
    ...w,
    signal: controller.signal,
    onStderr: (text) => {
      if (text.includes(" FAILED ")) controller.abort();
    },
  });
  assert.equal(result.code, 130);
  assert.equal(
    result.failed,
    STALE + LEGACY + "src.test/lib/app dst.test/lib/other 1\n",
  );
  assert.match(
    result.stdout,
    /^\[INFO\] Interrupted: validated 3 lines in \S+: 0 passed, 0 skipped, 1 failed, 0 invalid, 2 not run$/m,
  );
  assert.match(
    result.stdout,
    new RegExp(
      `^\\[INFO\\] 3 lines written to "${result.dir}/failed" \\(1 failed, 2 not run\\)$`,
      "m",
    ),
  );
});

Deno.test("main() shows control bytes of a list line escaped, so a list cannot rewrite the terminal", async () => {
  const run = await runOnList("bad\x1b[2J\x07 line\r with four\n", [
    "-d",
    "127.0.0.1:1",
  ]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /invalid line "bad\\x1b\[2J\\x07 line\\x0d with four": expected an image reference/,
  );
  for (const raw of ["\x07", "\r", "\x1b[2J"]) {
    assert(!run.stderr.includes(raw), JSON.stringify(raw));
  }
});
