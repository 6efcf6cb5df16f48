// Checks that turn flag values into options, for cli.ts and its commands.

import { normalizeRegistry } from "./reference.ts";

/** A usage error: the CLI prints its message on one line and exits 2. */
export class UsageError extends Error {}

/** Returns why a registry name is not valid, or undefined when it is. */
export function checkRegistryName(value: string): string | undefined {
  if (value === "") return "registry name is empty";
  if (/^[a-z]+:\/\//i.test(value)) {
    return "expected a registry host without a scheme";
  }
  if (value.includes("/")) {
    return 'expected a registry host such as "registry.io:5000", without a path';
  }
  try {
    normalizeRegistry(value);
  } catch {
    return "not a valid registry host";
  }
  return undefined;
}

/** Splits a comma list, trimming spaces around items and dropping empty ones. */
export function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim().toLowerCase()).filter((s) =>
    s !== ""
  );
}

/**
 * Parses a `--tls-verify`-style flag value (`true`, `false`, `1`, `0`, or
 * `true` for the bare flag); undefined stays undefined.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTlsVerify } from "./_cli_support.ts";
 * assert(parseTlsVerify("--dest-tls-verify", "false") === false);
 * assert(parseTlsVerify("--dest-tls-verify", true) === true);
 * assert(parseTlsVerify("--dest-tls-verify", undefined) === undefined);
 * ```
 */
export function parseTlsVerify(
  flag: string,
  value: string | boolean | undefined,
): boolean | undefined {
  if (value === undefined) return undefined;
  const text = value === true ? "true" : String(value).toLowerCase();
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw new RangeError(`Invalid ${flag} "${value}": use true or false`);
}
