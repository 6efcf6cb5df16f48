/**
 * The commander commands of `mirror-validate` and `mirror snapshot`, built
 * from their flag tables (lib/cli/validate_flags.ts,
 * lib/cli/snapshot_flags.ts). Loaded only when the fast parser declines, so
 * help, usage errors and suggestions stay commander's.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import type { CommandSpec } from "./flag_table.ts";
import { SNAPSHOT_COMMAND, type SnapshotFlags } from "./snapshot_flags.ts";
import { VALIDATE_COMMAND, type ValidateFlags } from "./validate_flags.ts";

/**
 * A commander command named `name` with the flags, description and help of
 * `spec`, without an action.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandFromSpec } from "./commander_commands.ts";
 * const command = commandFromSpec("x", {
 *   description: "d",
 *   help: "",
 *   flags: [{ flags: "-j, --jobs <n>", description: "n", default: "1" }],
 * }).exitOverride();
 * command.parse(["-j5"], { from: "user" });
 * assert.deepEqual(command.opts(), { jobs: "5" });
 * ```
 */
export function commandFromSpec<Flags extends Record<string, unknown>>(
  name: string,
  spec: CommandSpec,
): Command<[], Flags> {
  const command = new Command(name).description(spec.description);
  for (const flag of spec.flags) {
    const option = new Option(flag.flags, flag.description);
    if (flag.default !== undefined) {
      option.default(
        Array.isArray(flag.default) ? [...flag.default] : flag.default,
      );
    }
    if (flag.parse) option.argParser(flag.parse as (v: string) => unknown);
    if (flag.required) option.makeOptionMandatory();
    if (flag.hidden) option.hideHelp();
    command.addOption(option);
  }
  return command.addHelpText("after", spec.help) as unknown as Command<
    [],
    Flags
  >;
}

/**
 * The `mirror-validate` command (also `mirror validate`) with its flags and
 * help, without an action.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateCommand } from "./commander_commands.ts";
 * const command = validateCommand("mirror-validate").exitOverride();
 * command.parse(["-f", "list.txt", "-j", "4"], { from: "user" });
 * assert.equal(command.opts().file, "list.txt");
 * assert.equal(command.opts().jobs, "4");
 * assert.equal(command.opts().timeout, "10m");
 * ```
 */
export function validateCommand(name: string): Command<[], ValidateFlags> {
  return commandFromSpec<ValidateFlags>(name, VALIDATE_COMMAND);
}

/**
 * The `mirror snapshot` command with its flags and help, without an action.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { snapshotCommand } from "./commander_commands.ts";
 * const command = snapshotCommand("snapshot").exitOverride();
 * command.parse(["-f", "list.txt", "-o", "s.json"], { from: "user" });
 * assert.equal(command.opts().output, "s.json");
 * assert.equal(command.opts().failed, "mirror-snapshot-failed.txt");
 * ```
 */
export function snapshotCommand(name: string): Command<[], SnapshotFlags> {
  return commandFromSpec<SnapshotFlags>(name, SNAPSHOT_COMMAND);
}
