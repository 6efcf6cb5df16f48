/**
 * The full `hangar` program on commander: every command, help, `--version`,
 * usage errors with "Did you mean" suggestions, completions, login and
 * logout. cli.ts imports it with `import()` only when the fast parser
 * (lib/cli/fast_args.ts) declines, so a valid run never loads commander.
 *
 * @module
 */

import { Argument, Command, CommanderError } from "@commander-js/extra-typings";
import { completionScript, SHELLS } from "./completions.ts";
import { snapshotCommand, validateCommand } from "./commander_commands.ts";
import type { CliIo } from "./io.ts";
import { loginCommands } from "./login_commands.ts";
import { EXIT, runSnapshotCommand, runValidate } from "./run_commands.ts";
import type { SnapshotFlags } from "./snapshot_flags.ts";
import { usageMessage } from "./support.ts";
import type { ValidateFlags } from "./validate_flags.ts";
import { UsageError } from "../errors.ts";

/**
 * Parses `args` (without the program name) with commander, runs the command
 * and returns its exit code; help and usage errors go to `io`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCommander } from "./commander_program.ts";
 * let err = "";
 * const io = { stderr: (t: string) => (err += t), stdout: () => {} };
 * const code = await runCommander(
 *   ["mirror-validate", "--tls-verfy"],
 *   io as never,
 *   "0.1.0",
 * );
 * assert.equal(code, 2);
 * assert.equal(err, 'Error: Required option "-f, --file <file>" not specified\n');
 * ```
 */
export async function runCommander(
  args: string[],
  io: CliIo,
  version: string,
): Promise<number> {
  let code: number = EXIT.ok;
  const program = hangarProgram(io, version, {
    validate: async (flags) => {
      code = await runValidate(flags, io);
    },
    snapshot: async (flags) => {
      code = await runSnapshotCommand(flags, io, version);
    },
    done: (exit) => (code = exit),
  });
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      if (error.code !== "commander.help") {
        const message = error.message +
          (await suggestionWithValue(error, args, io, version));
        io.stderr(`Error: ${usageMessage(message)}\n`);
      }
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`Error: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (args.length === 0) {
    io.stdout(program.helpInformation());
    return EXIT.usage;
  }
  return code;
}

/**
 * Commander suggests a flag for `--tls-verfy` but not for
 * `--tls-verfy=false` (it compares the value too): the suggestion for the
 * name alone, as commander's next line, or "".
 */
async function suggestionWithValue(
  error: CommanderError,
  args: string[],
  io: CliIo,
  version: string,
): Promise<string> {
  if (error.code !== "commander.unknownOption") return "";
  if (/did you mean/i.test(error.message)) return "";
  const at = args.findIndex((arg) =>
    /^--[^=]+=/.test(arg) && error.message.includes(`'${arg}'`)
  );
  if (at < 0) return "";
  const named = args.with(at, args[at]!.slice(0, args[at]!.indexOf("=")));
  const ignore = () => Promise.resolve();
  const again = hangarProgram(
    { ...io, stdout: () => {}, stderr: () => {} },
    version,
    {
      validate: ignore,
      snapshot: ignore,
      done: () => {},
    },
  );
  try {
    await again.parseAsync(named, { from: "user" });
  } catch (second) {
    const hint = second instanceof CommanderError
      ? /\n\(Did you mean [^)]*\)/.exec(second.message)?.[0]
      : undefined;
    return hint ?? "";
  }
  return "";
}

/** What the commands of {@linkcode hangarProgram} run. */
export interface ProgramActions {
  /** Runs `mirror-validate` / `mirror validate` with commander's flags. */
  validate: (flags: ValidateFlags) => Promise<void>;
  /** Runs `mirror snapshot` / `mirror-snapshot` with commander's flags. */
  snapshot: (flags: SnapshotFlags) => Promise<void>;
  /** Receives the exit code of `login` / `logout`. */
  done: (code: number) => void;
}

/**
 * The commander program of `hangar`, its output going to `io`, its commands
 * running `actions` (tests pass their own to read the parsed flags).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hangarProgram } from "./commander_program.ts";
 * let seen: unknown;
 * const io = { stdout: () => {}, stderr: () => {}, env: {} };
 * const program = hangarProgram(io as never, "0.1.0", {
 *   validate: async (flags) => void (seen = flags.jobs),
 *   snapshot: async () => {},
 *   done: () => {},
 * });
 * await program.parseAsync(["mirror", "validate", "-f", "l", "-j3"], {
 *   from: "user",
 * });
 * assert.equal(seen, "3");
 * ```
 */
export function hangarProgram(
  io: CliIo,
  version: string,
  actions: ProgramActions,
): Command {
  const output = {
    writeOut: (text: string) => io.stdout(text),
    writeErr: (text: string) => io.stderr(text),
    // Commander's own errors are printed by runCommander, in the style of
    // every other usage error.
    outputError: () => {},
  };
  const program = new Command("hangar")
    .description("Mirror and validate container images")
    .version(version, "-v, --version")
    .exitOverride()
    .configureOutput(output)
    .showSuggestionAfterError(true);
  program.addCommand(
    validateCommand("mirror-validate").exitOverride().configureOutput(output)
      .action(actions.validate),
  );
  const mirror = new Command("mirror").description("Mirror commands")
    .exitOverride()
    .configureOutput(output);
  mirror.addCommand(
    validateCommand("validate").exitOverride().configureOutput(output).action(
      actions.validate,
    ),
  );
  program.addCommand(
    snapshotCommand("mirror-snapshot").exitOverride().configureOutput(output)
      .action(actions.snapshot),
  );
  mirror.addCommand(
    snapshotCommand("snapshot").exitOverride().configureOutput(output).action(
      actions.snapshot,
    ),
  );
  program.addCommand(mirror);
  for (const command of loginCommands(io, actions.done)) {
    program.addCommand(command.exitOverride().configureOutput(output));
  }
  program.addCommand(
    new Command("completions")
      .description("Print the completion script of a shell")
      .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(SHELLS))
      .exitOverride().configureOutput(output)
      .action((shell) => io.stdout(completionScript(program, shell))),
  );
  return program;
}
