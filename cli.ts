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

import { Argument, Command, CommanderError } from "@commander-js/extra-typings";
import denoJson from "./deno.json" with { type: "json" };
import { readEnvironment } from "./lib/cli/permissions.ts";
import { guardPermissions } from "./lib/cli/permission_gate.ts";
import { completionScript, SHELLS } from "./lib/cli/completions.ts";
import { UsageError } from "./lib/errors.ts";
import type { CliIo } from "./lib/cli/io.ts";
import { usageMessage } from "./lib/cli/support.ts";
import { loginCommands } from "./lib/cli/login_commands.ts";
import {
  EXIT,
  runSnapshotCommand,
  runValidate,
} from "./lib/cli/run_commands.ts";
import {
  snapshotCommand,
  type SnapshotFlags,
} from "./lib/cli/snapshot_command.ts";
import {
  validateCommand,
  type ValidateFlags,
} from "./lib/cli/validate_command.ts";

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
  let code: number = EXIT.ok;
  const output = {
    writeOut: (text: string) => full.stdout(text),
    writeErr: (text: string) => full.stderr(text),
    // Commander's own errors are printed below, in the style of every other
    // usage error.
    outputError: () => {},
  };
  const program = new Command("hangar")
    .description("Mirror and validate container images")
    .version(VERSION, "-v, --version")
    .exitOverride()
    .configureOutput(output)
    .showSuggestionAfterError(true);
  const action = async (flags: ValidateFlags) => {
    code = await runValidate(flags, full);
  };
  const snapshotAction = async (flags: SnapshotFlags) => {
    code = await runSnapshotCommand(flags, full, VERSION);
  };
  program.addCommand(
    validateCommand("mirror-validate").exitOverride().configureOutput(output)
      .action(action),
  );
  const mirror = new Command("mirror").description("Mirror commands")
    .exitOverride()
    .configureOutput(output);
  mirror.addCommand(
    validateCommand("validate").exitOverride().configureOutput(output).action(
      action,
    ),
  );
  program.addCommand(
    snapshotCommand("mirror-snapshot").exitOverride().configureOutput(output)
      .action(snapshotAction),
  );
  mirror.addCommand(
    snapshotCommand("snapshot").exitOverride().configureOutput(output).action(
      snapshotAction,
    ),
  );
  program.addCommand(mirror);
  for (const command of loginCommands(full, (exit) => (code = exit))) {
    program.addCommand(command.exitOverride().configureOutput(output));
  }
  program.addCommand(
    new Command("completions")
      .description("Print the completion script of a shell")
      .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(SHELLS))
      .exitOverride().configureOutput(output)
      .action((shell) => full.stdout(completionScript(program, shell))),
  );
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      if (error.code !== "commander.help") {
        full.stderr(`Error: ${usageMessage(error.message)}\n`);
      }
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      full.stderr(`Error: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (args.length === 0) {
    full.stdout(program.helpInformation());
    return EXIT.usage;
  }
  return code;
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
