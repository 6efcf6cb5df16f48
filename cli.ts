/**
 * The `hangar` command line: `hangar mirror-validate` (also `hangar mirror
 * validate`), `hangar mirror snapshot` (also `hangar mirror-snapshot`) and
 * `hangar login` / `logout`. Turns flags into checked options
 * (lib/cli/options.ts), builds the registry clients and the hangar log
 * reporter, and hands them to the run (lib/run/run.ts), whose exit code it
 * returns.
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
import { readEnvironment } from "./lib/cli/permissions.ts";
import { guardPermissions } from "./lib/cli/permission_gate.ts";
import { UsageError } from "./lib/errors.ts";
import type { CliIo } from "./lib/cli/io.ts";
import { fastCommand } from "./lib/cli/fast_args.ts";
import {
  EXIT,
  runSnapshotCommand,
  runValidate,
} from "./lib/cli/run_commands.ts";

export { EXIT };
export type { CliIo };

/** The version printed by `--version`: deno.json's, the one JSR publishes. */
export const VERSION: string = denoJson.version;

function defaultIo(): CliIo {
  const encoder = new TextEncoder();
  return {
    stdout: (text) => writeAll(Deno.stdout, encoder.encode(text)),
    stderr: (text) => writeAll(Deno.stderr, encoder.encode(text)),
    env: readEnvironment(),
    isTerminal: Deno.stdout.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
    now: () => new Date(),
  };
}

function writeAll(
  target: { writeSync(p: Uint8Array): number },
  bytes: Uint8Array,
) {
  let offset = 0;
  while (offset < bytes.length) {
    offset += target.writeSync(bytes.subarray(offset));
  }
}

/**
 * Runs the CLI with `args` (without the program name) and returns the exit code.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 * let out = "";
 * const code = await main(["--version"], { stdout: (t) => (out += t) });
 * assert(code === 0 && out.trim() === "0.1.0");
 * ```
 */
export async function main(
  args: string[],
  io: Partial<CliIo> = {},
): Promise<number> {
  const full: CliIo = { ...defaultIo(), ...io };
  // A valid validate / snapshot command line runs without loading commander
  // (tens of milliseconds of Node-compat start-up); anything else, help and
  // every usage error included, is commander's (lib/cli/commander_program.ts).
  const fast = fastCommand(args);
  if (fast === undefined) {
    const { runCommander } = await import("./lib/cli/commander_program.ts");
    return await runCommander(args, full, VERSION);
  }
  try {
    return fast.command === "validate"
      ? await runValidate(fast.flags, full)
      : await runSnapshotCommand(fast.flags, full, VERSION);
  } catch (error) {
    if (error instanceof UsageError) {
      full.stderr(`Error: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

if (import.meta.main) {
  // First signal: no new image starts. Second: images in flight are abandoned,
  // the summary and failed file are still written. Third: quit at once.
  const interrupt = new AbortController();
  const abandon = new AbortController();
  const stop = () => {
    if (abandon.signal.aborted) Deno.exit(EXIT.interrupted);
    if (interrupt.signal.aborted) abandon.abort();
    else interrupt.abort();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  // A denied permission is one line naming the flag to add (exit 2).
  const code = await guardPermissions((guard) =>
    main(Deno.args, {
      signal: AbortSignal.any([interrupt.signal, guard.signal]),
      abandon: AbortSignal.any([abandon.signal, guard.signal]),
      stdout: guard.stdout,
      stderr: guard.stderr,
    })
  );
  Deno.exit(code);
}
