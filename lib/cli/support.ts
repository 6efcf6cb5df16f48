// Checks that turn flag values into options, for cli.ts and its commands.

import { normalizeRegistry, replaceProject } from "../types/reference.ts";
import { architectureProblem, osProblem } from "../types/platform_names.ts";

import { UsageError } from "../errors.ts";

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
 * import { parseTlsVerify } from "./support.ts";
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

/**
 * Checks `--arch` and `--os` values against the names images use; the first
 * wrong one is a {@linkcode UsageError} that says what was meant.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSelection } from "./support.ts";
 * import { UsageError } from "../errors.ts";
 * checkSelection(["amd64", "aarch64"], ["linux"]);
 * assert.throws(
 *   () => checkSelection(["linux/amd64"], ["linux"]),
 *   new UsageError(
 *     'Invalid --arch "linux/amd64": a platform, not an architecture: did you mean -a amd64 --os linux?',
 *   ),
 * );
 * ```
 */
export function checkSelection(
  architectures: readonly string[],
  oses: readonly string[],
): void {
  if (architectures.length === 0) {
    throw new UsageError("Invalid --arch: the list is empty");
  }
  if (oses.length === 0) {
    throw new UsageError("Invalid --os: the list is empty");
  }
  for (const value of architectures) {
    const problem = architectureProblem(value);
    if (problem) throw new UsageError(`Invalid --arch "${value}": ${problem}`);
  }
  for (const value of oses) {
    const problem = osProblem(value);
    if (problem) throw new UsageError(`Invalid --os "${value}": ${problem}`);
  }
}

/**
 * Checks a project flag (`--default-project`, `--source-project`,
 * `--destination-project`): a path segment, or `""` where the flag allows
 * none.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkProject } from "./support.ts";
 * import { UsageError } from "../errors.ts";
 * checkProject("--default-project", "");
 * assert.throws(
 *   () => checkProject("--default-project", "Team"),
 *   new UsageError('Invalid --default-project "Team": repository name must be lowercase'),
 * );
 * ```
 */
export function checkProject(flag: string, value: string | undefined): void {
  if (value === undefined || value === "") return;
  try {
    replaceProject("x", value);
  } catch (error) {
    const detail = (error as Error).message.replace(/^[^:]*: /, "");
    throw new UsageError(`Invalid ${flag} "${value}": ${detail}`);
  }
}

/**
 * Checks `--cert-dir` at start: it must be an existing directory.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCertDir } from "./support.ts";
 * import { UsageError } from "../errors.ts";
 * await checkCertDir(undefined);
 * await assert.rejects(
 *   checkCertDir("/nonexistent/certs"),
 *   new UsageError('Invalid --cert-dir "/nonexistent/certs": no such directory'),
 * );
 * ```
 */
export async function checkCertDir(dir: string | undefined): Promise<void> {
  if (dir === undefined) return;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    const detail = error instanceof Deno.errors.NotFound
      ? "no such directory"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (error as Error).message.replace(/\s*\(os error \d+\).*$/, "");
    throw new UsageError(`Invalid --cert-dir "${dir}": ${detail}`);
  }
  if (!info.isDirectory) {
    throw new UsageError(`Invalid --cert-dir "${dir}": not a directory`);
  }
}

/**
 * Rewrites a commander error (`error: unknown option '--x'\n(Did you mean
 * --y?)`) in the style of every other usage error: one sentence-case line,
 * values in double quotes, detail after a colon, no trailing period.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { usageMessage } from "./support.ts";
 * assert.equal(
 *   usageMessage("error: unknown option '--bogus'\n(Did you mean --debug?)"),
 *   'Unknown option "--bogus": did you mean --debug?',
 * );
 * ```
 */
export function usageMessage(commanderMessage: string): string {
  const [head = "", ...rest] = commanderMessage.trim().split("\n");
  let text = head.replace(/^error:\s*/i, "")
    .replace(/'([^']*)'/g, '"$1"')
    .replace(/\.\s+(\S)/g, (_, c: string) => `: ${c.toLowerCase()}`)
    .replace(/\.$/, "");
  for (const line of rest) {
    const hint = line.trim().replace(/^\((.*)\)$/, "$1").replace(/\.$/, "");
    if (hint !== "") text += `: ${hint[0]!.toLowerCase()}${hint.slice(1)}`;
  }
  return text.length > 0 ? text[0]!.toUpperCase() + text.slice(1) : text;
}
