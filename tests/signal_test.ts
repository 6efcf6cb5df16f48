// Interrupting the real CLI (a subprocess) while an image stalls: SIGTERM
// stops it starting images, abandons the stalled one, writes the failed file
// with the failed and the not-run lines in input order, prints the summary
// marked "Interrupted" and exits 130; a second signal abandons the stalled
// image at once and still writes the summary and the failed file.

import { registryWithImage } from "./support/two_registries.ts";
import assert from "node:assert/strict";
import { FaultRegistry } from "./support/fault_registry.ts";
import { cliPermissionArgs } from "./support/cli_permissions.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
const SAFETY_NET_MS = 60_000;

/** Collects a stream's text and lets a test wait for a pattern in it. */
class Collector {
  text = "";
  #waiters: { pattern: RegExp; resolve: () => void }[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.text += chunk;
        this.#waiters = this.#waiters.filter((w) => {
          if (!w.pattern.test(this.text)) return true;
          w.resolve();
          return false;
        });
      }
    })();
  }

  waitFor(pattern: RegExp): Promise<void> {
    if (pattern.test(this.text)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ pattern, resolve }));
  }
}

/** A served registry where lib/ok passes, lib/gone is missing at the destination and lib/stall* never answer. */
async function stallingRegistry() {
  const registry = await registryWithImage("lib/ok", "1");
  const faults = new FaultRegistry(registry.handler, [
    { match: "/v2/lib/stall", faults: ["stall"], repeat: true },
  ]);
  const server = faults.serve();
  return {
    host: server.host,
    async close() {
      faults.close();
      await server.close();
    },
  };
}

async function withRun(
  fn: (run: {
    child: Deno.ChildProcess;
    stdout: Collector;
    stderr: Collector;
    dir: string;
    lines: string[];
  }) => Promise<void>,
): Promise<void> {
  const registry = await stallingRegistry();
  const dir = await Deno.makeTempDir();
  const h = registry.host;
  const lines = [
    `${h}/lib/ok ${h}/lib/gone 1`,
    `${h}/lib/ok ${h}/lib/ok 1`,
    `${h}/lib/stall1 ${h}/lib/stall1 1`,
    "not a valid line",
    `${h}/lib/stall2 ${h}/lib/stall2 1`,
    `${h}/lib/ok ${h}/lib/other 1`,
  ];
  await Deno.writeTextFile(`${dir}/list.txt`, lines.join("\n") + "\n");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...cliPermissionArgs(),
      CLI,
      "mirror-validate",
      "-f",
      `${dir}/list.txt`,
      "-o",
      `${dir}/failed.txt`,
      "--tls-verify=false",
      "-j",
      "1",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Collector(child.stdout);
  const stderr = new Collector(child.stderr);
  const net = setTimeout(() => child.kill("SIGKILL"), SAFETY_NET_MS);
  try {
    await fn({ child, stdout, stderr, dir, lines });
  } finally {
    clearTimeout(net);
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await child.status;
    await Promise.all([stdout.done, stderr.done]);
    await registry.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SIGTERM during a run abandons the stalled image, writes failed and not-run lines, exits 130", async () => {
  await withRun(async ({ child, stdout, stderr, dir, lines }) => {
    await stdout.waitFor(/\[M_ID:2\] PASS/);
    child.kill("SIGTERM");
    const status = await child.status;
    await Promise.all([stdout.done, stderr.done]);
    assert.equal(status.code, 130, stderr.text);
    assert.match(
      stderr.text,
      /\[WARN\] Interrupted: no new image starts, images in flight get 3s to finish; interrupt again to stop them at once\n/,
    );
    assert.match(
      stderr.text,
      /\[M_ID:1\] FAILED .*destination manifest does not exist/,
    );
    assert.match(stderr.text, /list.txt:4: invalid line "not a valid line"/);
    assert.match(stderr.text, /\[M_ID:3\] NOT RUN .*: interrupted/);
    assert.match(stderr.text, /\[M_ID:4\] NOT RUN .*: interrupted/);
    assert.match(stderr.text, /\[M_ID:5\] NOT RUN .*: interrupted/);
    const summary =
      /Interrupted: validated (\d+) lines in \S+: (\d+) passed, (\d+) skipped, (\d+) failed, (\d+) invalid, (\d+) not run/
        .exec(stdout.text);
    assert.ok(summary, stdout.text);
    const [total, passed, skipped, failed, invalid, notRun] = summary
      .slice(1)
      .map(Number);
    assert.deepEqual([passed, skipped, failed, invalid, notRun], [
      1,
      0,
      1,
      1,
      3,
    ]);
    // passed + skipped + failed + invalid + not run = lines with content
    assert.equal(passed! + skipped! + failed! + invalid! + notRun!, total);
    assert.equal(total, lines.length);
    assert.equal(
      await Deno.readTextFile(`${dir}/failed.txt`),
      [lines[0], lines[2], lines[4], lines[5]].join("\n") + "\n",
    );
  });
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`a second ${signal} abandons the stalled image at once, still writes the failed file and the summary, exits 130`, async () => {
    await withRun(async ({ child, stdout, stderr, dir, lines }) => {
      await stdout.waitFor(/\[M_ID:2\] PASS/);
      child.kill(signal);
      await stderr.waitFor(/interrupt again to stop them at once/);
      const second = performance.now();
      child.kill(signal);
      const status = await child.status;
      // The 3 s grace is not waited out.
      const afterSecond = performance.now() - second;
      await Promise.all([stdout.done, stderr.done]);
      assert.equal(status.code, 130, stderr.text);
      assert.ok(afterSecond < 2500, `exited ${afterSecond} ms after`);
      assert.match(
        stderr.text,
        /\[WARN\] Interrupted again: images in flight are abandoned; writing the summary and the failed list\n/,
      );
      assert.match(stderr.text, /\[M_ID:3\] NOT RUN .*: interrupted/);
      assert.match(stderr.text, /\[M_ID:5\] NOT RUN .*: interrupted/);
      assert.match(
        stdout.text,
        /\[INFO\] Interrupted: validated 6 lines in \S+: 1 passed, 0 skipped, 1 failed, 1 invalid, 3 not run\n/,
      );
      assert.equal(
        await Deno.readTextFile(`${dir}/failed.txt`),
        [lines[0], lines[2], lines[4], lines[5]].join("\n") + "\n",
      );
    });
  });
}
