/**
 * Turns a permission Deno denied into one line naming the flag to add. An
 * uncaught `NotCapable` (an environment variable, say) becomes that line
 * instead of a stack trace; a run whose images fail because a permission is
 * missing (no `--allow-net`, no system CA store) is stopped at the first
 * such failure, since every other image would fail the same way, and its
 * output is replaced by that line. Exit status 2, as for other setup errors.
 *
 * @module
 */

import { EXIT } from "../run/run.ts";
import { missingPermission } from "./permissions.ts";

/** What {@linkcode guardPermissions} gives the guarded run. */
export interface PermissionGuard {
  /** Standard output, held back once a permission was denied. */
  stdout: (text: string) => void;
  /** Standard error; a line quoting a denied permission stops the run. */
  stderr: (text: string) => void;
  /** Aborted at the first denied permission: give it to the run. */
  signal: AbortSignal;
}

/** Options of {@linkcode guardPermissions}. */
export interface GuardPermissionsOptions {
  /**
   * Where standard output goes.
   * @default {writing to Deno.stdout}
   */
  stdout?: (text: string) => void;
  /**
   * Where standard error goes.
   * @default {writing to Deno.stderr}
   */
  stderr?: (text: string) => void;
}

/**
 * Runs `run` with a {@linkcode PermissionGuard} and returns its exit code,
 * or 2 after printing `Error: Missing permission: ...` when a permission was
 * denied.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { guardPermissions } from "./permission_gate.ts";
 * let err = "";
 * const code = await guardPermissions((guard) => {
 *   guard.stdout("not shown\n");
 *   guard.stderr(
 *     '[ERRO] FAILED [a] => [b]: Requires net access to "reg:80", ' +
 *       "run again with the --allow-net flag\n",
 *   );
 *   assert(guard.signal.aborted);
 *   guard.stderr("[INFO] Validated 1 line\n");
 *   return Promise.resolve(1);
 * }, { stdout: () => {}, stderr: (text) => (err += text) });
 * assert.equal(code, 2);
 * assert.equal(
 *   err,
 *   'Error: Missing permission: net access to "reg:80": run again with --allow-net\n',
 * );
 * ```
 */
export async function guardPermissions(
  run: (guard: PermissionGuard) => Promise<number>,
  options: GuardPermissionsOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? writer(Deno.stdout);
  const stderr = options.stderr ?? writer(Deno.stderr);
  const controller = new AbortController();
  let denied: string | undefined;
  const guard: PermissionGuard = {
    stdout: (text) => {
      if (denied === undefined) stdout(text);
    },
    stderr: (text) => {
      if (denied !== undefined) return;
      // A usage line ("Error: Cannot write ...") already says it in one line.
      if (!text.startsWith("Error: ")) denied = missingPermission(text);
      if (denied === undefined) stderr(text);
      else controller.abort();
    },
    signal: controller.signal,
  };
  let code: number;
  try {
    code = await run(guard);
  } catch (error) {
    denied ??= missingPermission(error);
    if (denied === undefined) throw error;
  }
  if (denied === undefined) return code!;
  stderr(`Error: ${denied}\n`);
  return EXIT.usage;
}

function writer(
  target: { writeSync(p: Uint8Array): number },
): (text: string) => void {
  const encoder = new TextEncoder();
  return (text) => {
    const bytes = encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) {
      offset += target.writeSync(bytes.subarray(offset));
    }
  };
}
