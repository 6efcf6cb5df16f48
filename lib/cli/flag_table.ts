/**
 * Flag definitions as data: one {@linkcode FlagSpec} per flag, so that the
 * fast parser (lib/cli/fast_args.ts) and the commander commands
 * (lib/cli/commander_commands.ts) read the same table. No commander here: a
 * valid command line never loads it.
 *
 * @module
 */

import { UsageError } from "../errors.ts";

/** One flag of a command, as commander's `Option` is declared. */
export interface FlagSpec {
  /** Commander's flags string: `"-j, --jobs <n>"`, `"--tls-verify [bool]"`, `"--debug"`. */
  flags: string;
  /** Help text. @default {""} */
  description?: string;
  /** Default value, as declared (strings stay strings). */
  default?: string | boolean | string[];
  /** Value parser, called with the value and the previous one. */
  parse?: (value: string, previous: never) => unknown;
  /** Commander refuses the command line without it. @default {false} */
  required?: boolean;
  /** Left out of the help. @default {false} */
  hidden?: boolean;
}

/** One command's description, flags and help epilogue. */
export interface CommandSpec {
  /** One-line description. */
  description: string;
  /** Its flags, in help order. */
  flags: readonly FlagSpec[];
  /** Text printed after the help. */
  help: string;
}

/**
 * The key commander gives a flag in `opts()`: the long name in camelCase.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { attributeName } from "./flag_table.ts";
 * assert.equal(attributeName("--dest-tls-verify [bool]"), "destTlsVerify");
 * assert.equal(attributeName("-j, --jobs <n>"), "jobs");
 * ```
 */
export function attributeName(flags: string): string {
  const long = flags.split(/[ ,|]+/).find((part) => part.startsWith("--"));
  if (long === undefined) {
    throw new TypeError(`Cannot name flag "${flags}": no long name`);
  }
  return long.slice(2).split("-").reduce((name, word) =>
    name + word[0]!.toUpperCase() + word.slice(1)
  );
}

/**
 * Value parser of a repeatable flag: collects every value, in order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect } from "./flag_table.ts";
 * assert.deepEqual(collect("b", ["a"]), ["a", "b"]);
 * ```
 */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Value parser of `-f`: refuses a second one, as one run reads one list.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneList } from "./flag_table.ts";
 * assert.equal(oneList("a.txt", undefined), "a.txt");
 * assert.throws(() => oneList("b.txt", "a.txt"), /give -f once/);
 * ```
 */
export function oneList(value: string, previous: string | undefined): string {
  if (previous !== undefined) {
    throw new UsageError(
      `Cannot read two image lists "${previous}" and "${value}": give -f once`,
    );
  }
  return value;
}
