/**
 * Runs the CLI's `main()` in-process against two in-memory registries
 * (`src.test` and `dst.test`, both holding `lib/app:1`), inside a temporary
 * directory that is removed on dispose.
 *
 * @module
 */

import { type CliIo, main } from "../../cli.ts";
import { OciRegistry } from "./oci_server.ts";
import { seedImage } from "./seed.ts";

/** A line that passes. */
export const PASSING_LINE = "src.test/lib/app dst.test/lib/app 1";
/** A line that fails: the destination does not hold the image. */
export const FAILING_LINE = "src.test/lib/app dst.test/lib/gone 1";

/** What one {@linkcode CliSandbox.run} gave. */
export interface CliRun {
  /** Exit code of `main()`. */
  code: number;
  /** Standard output, clock prefixes removed, the directory shown as `DIR`. */
  stdout: string;
  /** Standard error, the same way. */
  stderr: string;
}

/** A temporary directory and two registries for running the CLI. */
export interface CliSandbox extends AsyncDisposable {
  /** The temporary directory. */
  dir: string;
  /** Registry requests made so far. */
  readonly requests: number;
  /** Runs `hangar mirror-validate ARGS` with `io` added to the test defaults. */
  run(args: string[], io?: Partial<CliIo>): Promise<CliRun>;
}

/**
 * Makes a {@linkcode CliSandbox}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliSandbox, PASSING_LINE } from "./cli_sandbox.ts";
 * await using box = await cliSandbox();
 * await Deno.writeTextFile(`${box.dir}/list.txt`, PASSING_LINE);
 * const run = await box.run(["-f", `${box.dir}/list.txt`, "-o", "/dev/null"]);
 * assert.equal(run.code, 0);
 * ```
 */
export async function cliSandbox(): Promise<CliSandbox> {
  const src = new OciRegistry();
  const dst = new OciRegistry();
  for (const registry of [src, dst]) {
    await seedImage("http://x", { repository: "lib/app", tag: "1" }, {
      kind: "image",
      format: "oci",
      platform: { architecture: "amd64", os: "linux" },
    }, { fetch: (r) => registry.handler(r) });
  }
  const dir = await Deno.makeTempDir();
  let requests = 0;
  const clean = (text: string) =>
    text.replace(/^\d\d:\d\d:\d\d /gm, "").replaceAll(dir, "DIR");
  return {
    dir,
    get requests() {
      return requests;
    },
    async run(args, io = {}) {
      let stdout = "";
      let stderr = "";
      const code = await main(["mirror-validate", ...args], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        env: {},
        isTerminal: false,
        credentials: { env: {}, home: "/nonexistent" },
        fetch: (request) => {
          requests++;
          const host = new URL(request.url).host;
          return (host === "src.test" ? src : dst).handler(request);
        },
        ...io,
      });
      return { code, stdout: clean(stdout), stderr: clean(stderr) };
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The summary line of a run's stdout, without its duration. */
export function summaryOf(stdout: string): string {
  return stdout.split("\n").filter((l) =>
    /\] (Interrupted: v|V)alidated/.test(l)
  )
    .map((l) => l.replace(/ in \S+:/, ":")).join("\n");
}
