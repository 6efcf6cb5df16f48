/**
 * Runs the CLI's `main()` in-process against two in-memory registries
 * (`src.test` and `dst.test`, both holding `lib/app:1`), inside a temporary
 * directory that is removed on dispose.
 *
 * @module
 */

import type { CliIo } from "../../cli.ts";
import { type CliRun, runCli, timeless } from "./cli_run.ts";
import { seedBoth, twoRegistries } from "./two_registries.ts";

export type { CliRun } from "./cli_run.ts";

/** A line that passes. */
export const PASSING_LINE = "src.test/lib/app dst.test/lib/app 1";
/** A line that fails: the destination does not hold the image. */
export const FAILING_LINE = "src.test/lib/app dst.test/lib/gone 1";

/** A temporary directory and two registries for running the CLI. */
export interface CliSandbox extends AsyncDisposable {
  /** The temporary directory. */
  dir: string;
  /** Registry requests made so far. */
  readonly requests: number;
  /**
   * Runs `hangar mirror-validate ARGS` with `io` added to the test defaults;
   * the outputs without clock prefixes, the directory shown as `DIR`.
   */
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
  const registries = twoRegistries();
  await seedBoth(registries, { repository: "lib/app", tag: "1" }, {
    kind: "image",
    format: "oci",
    platform: { architecture: "amd64", os: "linux" },
  });
  const dir = await Deno.makeTempDir();
  let requests = 0;
  const clean = (text: string) => text.replaceAll(dir, "DIR");
  return {
    dir,
    get requests() {
      return requests;
    },
    async run(args, io = {}) {
      const run = timeless(
        await runCli(["mirror-validate", ...args], {
          fetch: (request) => {
            requests++;
            return registries.fetch(request);
          },
          ...io,
        }),
      );
      return {
        ...run,
        stdout: clean(run.stdout),
        stderr: clean(run.stderr),
        text: clean(run.text),
      };
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
