/**
 * A parser for the command lines commander would accept without a word of
 * output: `mirror-validate` / `mirror validate` and `mirror-snapshot` /
 * `mirror snapshot` with known flags. It gives the flags object commander's
 * `opts()` would give, or `undefined` ("decline") for anything else, and
 * then cli.ts loads commander, whose help, errors and suggestions stay the
 * only ones. Pure: no commander, no `node:` module (each costs start-up time).
 *
 * @module
 */

import {
  attributeName,
  type CommandSpec,
  type FlagSpec,
} from "./flag_table.ts";
import { SNAPSHOT_COMMAND, type SnapshotFlags } from "./snapshot_flags.ts";
import { VALIDATE_COMMAND, type ValidateFlags } from "./validate_flags.ts";

/** A command line the fast parser understood in full. */
export type FastCommand =
  | { command: "validate"; flags: ValidateFlags }
  | { command: "snapshot"; flags: SnapshotFlags };

interface Flag {
  key: string;
  kind: "value" | "optional" | "boolean";
  spec: FlagSpec;
}

/** Words the commander program reads wherever they stand (help, version). */
const COMMANDER_OWNED = /^(-h|--help|-v|--version)/;
/** An argument commander may read as a negative number, not an option. */
const NEGATIVE_NUMBER = /^-(\d+|\d*\.\d+)(e[+-]?\d+)?$/;

/**
 * Recognises a valid `mirror-validate` or `mirror snapshot` command line
 * (arguments without the program name) and returns its flags as commander
 * would, or `undefined` for anything it does not fully understand.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fastCommand } from "./fast_args.ts";
 * const parsed = fastCommand(["mirror-validate", "-f", "l.txt", "-j5"]);
 * assert.equal(parsed?.command, "validate");
 * assert.equal(parsed?.flags.jobs, "5");
 * assert.equal(fastCommand(["mirror-validate", "--help"]), undefined);
 * ```
 */
export function fastCommand(args: readonly string[]): FastCommand | undefined {
  if (args.some((arg) => arg === "--" || COMMANDER_OWNED.test(arg))) {
    return undefined;
  }
  const [first, second] = args;
  let command: "validate" | "snapshot";
  let rest: readonly string[];
  if (first === "mirror-validate" || first === "mirror-snapshot") {
    command = first === "mirror-validate" ? "validate" : "snapshot";
    rest = args.slice(1);
  } else if (
    first === "mirror" && (second === "validate" || second === "snapshot")
  ) {
    command = second;
    rest = args.slice(2);
  } else {
    return undefined;
  }
  const spec = command === "validate" ? VALIDATE_COMMAND : SNAPSHOT_COMMAND;
  const flags = parseFlags(rest, spec);
  if (flags === undefined) return undefined;
  return command === "validate"
    ? { command, flags: flags as unknown as ValidateFlags }
    : { command, flags: flags as unknown as SnapshotFlags };
}

/**
 * Parses the arguments after a command's name against its flag table as
 * commander does (`--x v`, `--x=v`, `-x v`, `-xv`, `[bool]` values taken
 * only when the next argument is not an option, the last value winning),
 * or `undefined` when commander would fail, print or must decide.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./fast_args.ts";
 * const spec = {
 *   description: "",
 *   help: "",
 *   flags: [{ flags: "--tls-verify [bool]", default: "true" }],
 * };
 * assert.deepEqual(parseFlags(["--tls-verify"], spec), { tlsVerify: true });
 * assert.deepEqual(parseFlags(["--tls-verify=0"], spec), { tlsVerify: "0" });
 * assert.equal(parseFlags(["--tls-verfy"], spec), undefined);
 * ```
 */
export function parseFlags(
  args: readonly string[],
  spec: CommandSpec,
): Record<string, unknown> | undefined {
  const byName = new Map<string, Flag>();
  const values: Record<string, unknown> = {};
  for (const flagSpec of spec.flags) {
    const flag: Flag = {
      key: attributeName(flagSpec.flags),
      kind: flagSpec.flags.includes("<")
        ? "value"
        : flagSpec.flags.includes("[")
        ? "optional"
        : "boolean",
      spec: flagSpec,
    };
    for (const name of flagSpec.flags.split(/[ ,|]+/)) {
      if (/^-[^-]$|^--./.test(name)) byName.set(name, flag);
    }
    const initial = flagSpec.default;
    if (initial !== undefined) {
      values[flag.key] = Array.isArray(initial) ? [...initial] : initial;
    }
  }
  const set = (flag: Flag, value: string | null): boolean => {
    let result: unknown = value ?? true;
    if (value !== null && flag.spec.parse) {
      try {
        result = flag.spec.parse(value, values[flag.key] as never);
      } catch {
        return false;
      }
    }
    values[flag.key] = result;
    return true;
  };
  let i = 0;
  while (i < args.length) {
    const arg = args[i++]!;
    const exact = byName.get(arg);
    if (exact) {
      let value: string | null = null;
      if (exact.kind === "value") {
        if (i >= args.length) return undefined;
        value = args[i++]!;
      } else if (exact.kind === "optional" && i < args.length) {
        const next = args[i]!;
        if (NEGATIVE_NUMBER.test(next)) return undefined;
        if (!(next.length > 1 && next[0] === "-")) value = args[i++]!;
      }
      if (!set(exact, exact.kind === "boolean" ? null : value)) {
        return undefined;
      }
      continue;
    }
    if (arg.length > 2 && arg[0] === "-" && arg[1] !== "-") {
      const short = byName.get(arg.slice(0, 2));
      // `-j5` is -j's value; `-qd` (a group of short flags) is commander's.
      if (!short || short.kind === "boolean") return undefined;
      if (!set(short, arg.slice(2))) return undefined;
      continue;
    }
    const equals = /^(--[^=]+)=/.exec(arg);
    const long = equals ? byName.get(equals[1]!) : undefined;
    if (!long || long.kind === "boolean") return undefined;
    if (!set(long, arg.slice(equals![0].length))) return undefined;
  }
  for (const flag of new Set(byName.values())) {
    if (flag.spec.required && values[flag.key] === undefined) return undefined;
  }
  return values;
}
