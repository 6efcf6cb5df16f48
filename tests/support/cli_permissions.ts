/**
 * The permissions a test gives the CLI it runs as a subprocess: the
 * documented least-privilege set, never `-A`, so that a permission the CLI
 * needs but the README and deno.json leave out fails CI.
 *
 * @module
 */

import { permissionFlags } from "../../lib/cli/permissions.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/**
 * `deno run` arguments for `cli.ts`: deno.json's `permissions.default` set
 * (`-P`, with the project's deno.json named so that the working directory does
 * not matter), `-q` (as `deno task hangar`: without it Deno warns that config
 * permissions are experimental and names each credential helper not
 * installed) and `--no-prompt`, so a missing permission is an error, never a
 * question.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliPermissionArgs } from "./cli_permissions.ts";
 * const args = cliPermissionArgs();
 * assert.deepEqual(args.slice(-3), ["-P", "-q", "--no-prompt"]);
 * assert.match(args[1]!, /\/deno\.json$/);
 * assert(!args.includes("-A"));
 * ```
 */
export function cliPermissionArgs(): string[] {
  return ["--config", CONFIG, "-P", "-q", "--no-prompt"];
}

/**
 * The same set as `deno run` flags, for a bundle run with `--no-config` (the
 * README's wrapper for air-gapped hosts), with `-q` and `--no-prompt`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliPermissionFlags } from "./cli_permissions.ts";
 * const flags = cliPermissionFlags();
 * assert.deepEqual(flags.slice(0, 3), ["--allow-net", "--allow-read", "--allow-write"]);
 * assert.equal(flags.at(-1), "--no-prompt");
 * assert(!flags.includes("-A"));
 * ```
 */
export function cliPermissionFlags(): string[] {
  return [...permissionFlags(), "-q", "--no-prompt"];
}
