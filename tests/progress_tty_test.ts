// The progress line on a real terminal: the CLI runs as a subprocess under
// util-linux `script`, whose pseudo-terminal is its stdout and stderr, against
// the integration world's real registries. A terminal shows done/total redrawn
// in place; stderr on a pipe, or CI=true, shows none.

import assert from "node:assert/strict";
import { buildWorld, worldLines } from "./support/mirror_world.ts";
import { writeReportList } from "./support/report_list.ts";
import { hasTool } from "./support/tools.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SAFETY_NET_MS = 60_000;
/** A redraw of the progress text: clear the line, then `done/total (pct%)`. */
// deno-lint-ignore no-control-regex
const REDRAW = /\r\x1b\[2K(\d+)\/17 \((\d+)%\) · [^\r\n\x1b]* · (\d+) failed/g;

/** The environment of the terminal: the test's, without CI or proxies. */
function terminalEnv(extra: Record<string, string>): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (name === "CI" || /^(https?|all|no)_proxy$/i.test(name)) {
      delete env[name];
    }
  }
  return { ...env, ...extra };
}

/** Runs `command` in a pseudo-terminal; what the terminal showed. */
async function inTerminal(
  command: string,
  env: Record<string, string> = {},
): Promise<{ code: number; screen: string }> {
  const child = new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    cwd: ROOT,
    clearEnv: true,
    env: terminalEnv(env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const net = setTimeout(() => child.kill("SIGKILL"), SAFETY_NET_MS);
  try {
    const output = await child.output();
    return {
      code: output.code,
      screen: new TextDecoder().decode(output.stdout),
    };
  } finally {
    clearTimeout(net);
  }
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

const HAS_SCRIPT = await hasTool("script");
if (!HAS_SCRIPT) {
  console.warn(
    "Skipped the terminal test: util-linux script is not installed (apt-get install -y bsdutils)",
  );
}

Deno.test({
  name: "mirror-validate draws a progress line on a terminal's stderr only",
  ignore: !HAS_SCRIPT,
  async fn(t) {
    const world = await buildWorld();
    const dir = await Deno.makeTempDir();
    try {
      const list = await writeReportList(`${dir}/list.txt`, worldLines(world));
      const cli = [
        ...[Deno.execPath(), "run", "-A", `${ROOT}cli.ts`, "mirror-validate"],
        ...["-f", list.path, "-o", `${dir}/failed.txt`],
        ...["--tls-verify=false", "-j", "1"],
      ].map(quote).join(" ");

      await t.step(
        "a terminal shows done/total, failures so far, redrawn in place and cleared",
        async () => {
          const { code, screen } = await inTerminal(cli);
          assert.equal(code, 1, screen);
          const redraws = [...screen.matchAll(REDRAW)];
          assert.ok(redraws.length > 0, JSON.stringify(screen));
          for (const [, done, pct, failed] of redraws) {
            assert.ok(Number(done) <= 17, done);
            assert.equal(Number(pct), Math.floor(Number(done) / 17 * 100));
            assert.ok(Number(failed) <= 9, failed);
          }
          // The line put back after a result's log line counts that result.
          let logged = 0;
          for (const part of screen.split("\r\x1b[2K")) {
            const done = /^(\d+)\/17 \(/.exec(part)?.[1];
            if (done !== undefined) assert.ok(Number(done) >= logged, part);
            if (/\] (PASS|SKIP|FAILED) \[|: invalid line "/.test(part)) {
              logged++;
            }
          }
          assert.equal(logged, 17);
          // Each log line starts on a cleared line, and the line is cleared
          // for good before the summary: nothing follows it after the last log line.
          const summary = screen.lastIndexOf("Validated 17 lines");
          assert.ok(
            summary > screen.lastIndexOf("\r\x1b[2K"),
            "cleared before",
          );
          assert.ok(!screen.slice(summary).includes("\x1b[2K"));
          for (const row of screen.split("\r\n")) {
            const text = row.slice(row.lastIndexOf("\r\x1b[2K") + 1);
            assert.doesNotMatch(text, /\d+\/17 \(.*\[(INFO|WARN|ERRO)\]/, row);
          }
        },
      );

      await t.step("stderr on a pipe shows no progress line", async () => {
        const { code, screen } = await inTerminal(
          `${cli} 2>${quote(`${dir}/stderr.txt`)}`,
        );
        assert.equal(code, 1, screen);
        const stderr = await Deno.readTextFile(`${dir}/stderr.txt`);
        assert.match(stderr, /\[M_ID:8\] FAILED /);
        assert.match(screen, /\[M_ID:1\] PASS /);
        for (const text of [screen, stderr]) {
          assert.deepEqual([...text.matchAll(REDRAW)], []);
          assert.doesNotMatch(text, /\d+\/17 \(/);
        }
      });

      await t.step("CI=true on a terminal shows no progress line", async () => {
        const { code, screen } = await inTerminal(cli, { CI: "true" });
        assert.equal(code, 1, screen);
        assert.match(screen, /Validated 17 lines/);
        assert.doesNotMatch(screen, /\d+\/17 \(/);
      });

      await t.step("--quiet on a terminal shows no progress line", async () => {
        const { code, screen } = await inTerminal(`${cli} --quiet`);
        assert.equal(code, 1, screen);
        assert.match(screen, /Validated 17 lines/);
        assert.doesNotMatch(screen, /\d+\/17 \(/);
      });
    } finally {
      await world.src.stop();
      await world.dst.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
