/**
 * Runs the CLI's `main()` in-process and keeps what it printed: the one
 * runner the CLI tests share, with hermetic defaults (no environment, no
 * terminal, no credential files, no certs.d), its form for a list in a
 * temporary directory, and the helpers that take the clock off log lines.
 *
 * @module
 */

import { type CliIo, main } from "../../cli.ts";

/** What one {@linkcode runCli} gave. */
export interface CliRun {
  /** Exit code of `main()`. */
  code: number;
  /** Everything written to standard output. */
  stdout: string;
  /** Everything written to standard error. */
  stderr: string;
  /** Standard output then standard error, for assertion messages. */
  text: string;
}

/**
 * What {@linkcode runCli} passes to `main()` unless `io` says otherwise: an
 * empty environment, not a terminal, no credential files and no certs.d.
 */
export const HERMETIC_IO: Readonly<Partial<CliIo>> = {
  env: {},
  isTerminal: false,
  credentials: { env: {}, home: "/nonexistent" },
  certificates: { dirs: [] },
};

/**
 * Runs `hangar ARGS` through `main()` with {@linkcode HERMETIC_IO} under
 * `io`, collecting its output. An `io.stdout` or `io.stderr` given still
 * sees every text as it is written (to react to a line mid-run).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCli } from "./cli_run.ts";
 * const run = await runCli(["--version"]);
 * assert.deepEqual(run, {
 *   code: 0,
 *   stdout: "0.1.0\n",
 *   stderr: "",
 *   text: "0.1.0\n",
 * });
 * ```
 */
export async function runCli(
  args: string[],
  io: Partial<CliIo> = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    ...HERMETIC_IO,
    ...io,
    stdout: (text) => {
      stdout += text;
      io.stdout?.(text);
    },
    stderr: (text) => {
      stderr += text;
      io.stderr?.(text);
    },
  });
  return { code, stdout, stderr, text: stdout + stderr };
}

/** What one {@linkcode runOnList} gave. */
export interface ListRun extends CliRun {
  /** What the run wrote to the failed file; `undefined` when it wrote none. */
  failed: string | undefined;
  /** The temporary directory the run used; removed by now. */
  dir: string;
}

/**
 * Writes `list` to `DIR/list` in a new temporary directory, runs
 * `hangar mirror-validate -f DIR/list -o DIR/failed FLAGS` through
 * {@linkcode runCli}, keeps the failed file's text and removes DIR.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runOnList } from "./cli_run.ts";
 * const run = await runOnList("# nothing\n", ["-d", "dst.test"]);
 * assert.equal(run.code, 2);
 * assert.equal(run.failed, undefined);
 * ```
 */
export async function runOnList(
  list: string,
  flags: string[] = [],
  io: Partial<CliIo> = {},
): Promise<ListRun> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/list`, list);
    const args = ["-f", `${dir}/list`, "-o", `${dir}/failed`, ...flags];
    const run = await runCli(["mirror-validate", ...args], io);
    const failed = await Deno.readTextFile(`${dir}/failed`).catch(() =>
      undefined
    );
    return { ...run, failed, dir };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * `mirror-validate -f LIST -o FAILED --tls-verify=false ...flags` through
 * {@linkcode runCli}, with the clock stripped ({@linkcode timeless}): how the
 * integration tests run the CLI against their plain-http registries.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validatePlain } from "./cli_run.ts";
 * const run = await validatePlain("/nonexistent/list", "/nonexistent/failed");
 * assert.equal(run.code, 2);
 * assert.match(run.stderr, /^Error: /);
 * ```
 */
export async function validatePlain(
  list: string,
  failed: string,
  flags: string[] = [],
  io: Partial<CliIo> = {},
): Promise<CliRun> {
  return timeless(
    await runCli([
      "mirror-validate",
      "-f",
      list,
      "-o",
      failed,
      "--tls-verify=false",
      ...flags,
    ], io),
  );
}

/**
 * Removes the `HH:MM:SS ` clock that starts each log line.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripTime } from "./cli_run.ts";
 * assert.equal(
 *   stripTime("09:05:07 [INFO] a\n09:05:08 [WARN] b\n"),
 *   "[INFO] a\n[WARN] b\n",
 * );
 * ```
 */
export function stripTime(text: string): string {
  return text.replace(/^\d\d:\d\d:\d\d /gm, "");
}

/**
 * The run with {@linkcode stripTime} applied to its outputs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCli, timeless } from "./cli_run.ts";
 * const run = timeless(await runCli(["mirror-validate"]));
 * assert.equal(run.code, 2);
 * assert.match(run.stderr, /^Error: /);
 * ```
 */
export function timeless(run: CliRun): CliRun {
  const stdout = stripTime(run.stdout);
  const stderr = stripTime(run.stderr);
  return { code: run.code, stdout, stderr, text: stdout + stderr };
}
