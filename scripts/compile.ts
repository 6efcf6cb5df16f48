/**
 * `deno task compile`: builds `dist/hangar-<target>` for Linux (x86_64,
 * aarch64), macOS (x86_64, aarch64) and Windows (x86_64) with the CLI's
 * documented permission set baked in (not `-A`), then the bundle
 * (scripts/bundle.ts) and `dist/SHA256SUMS` for every artifact.
 *
 * `deno compile` downloads its runtime (`denort`) from dl.deno.land; where
 * that host cannot be reached it stops at the first target with one line
 * saying so and exit status 1. Nothing is faked: no binary is written.
 *
 * @module
 */

import { permissionFlags } from "../lib/cli/permissions.ts";
import { bundle, DIST, ROOT } from "./bundle.ts";

/** The targets built, as `deno compile --target` names them. */
export const TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** One `deno compile` to run. */
export interface CompileCommand {
  /** The target. */
  target: string;
  /** The binary written, relative to the project root. */
  output: string;
  /** The `deno` arguments. */
  args: string[];
}

/**
 * The `deno compile` command of every target, in {@linkcode TARGETS} order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileCommands } from "./compile.ts";
 * const commands = compileCommands();
 * assert.equal(commands.length, 5);
 * assert.equal(commands[4]?.output, "dist/hangar-x86_64-pc-windows-msvc.exe");
 * assert(commands.every(({ args }) => !args.includes("-A")));
 * ```
 */
export function compileCommands(): CompileCommand[] {
  return TARGETS.map((target) => {
    const exe = target.includes("windows") ? ".exe" : "";
    const output = `${DIST}/hangar-${target}${exe}`;
    return {
      target,
      output,
      args: [
        "compile",
        "--quiet",
        "--no-prompt",
        ...permissionFlags(),
        "--target",
        target,
        "--output",
        output,
        "cli.ts",
      ],
    };
  });
}

/**
 * The one line for a `deno compile` that failed: a download of the runtime
 * is named as such, anything else is quoted.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFailure } from "./compile.ts";
 * assert.equal(
 *   compileFailure(
 *     "x86_64-apple-darwin",
 *     "error: Writing deno compile executable\n    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-apple-darwin.zip): dns error",
 *   ),
 *   'Cannot compile for "x86_64-apple-darwin": deno compile downloads its runtime from "https://dl.deno.land/release/v2.9.6/denort-x86_64-apple-darwin.zip", which is not reachable from here: build where dl.deno.land is reachable, or use the bundle (deno task bundle)',
 * );
 * ```
 */
export function compileFailure(target: string, stderr: string): string {
  const url = /\((https:\/\/dl\.deno\.land\/[^)\s]+)\)/.exec(stderr)?.[1];
  if (url !== undefined) {
    return `Cannot compile for "${target}": deno compile downloads its runtime from "${url}", which is not reachable from here: build where dl.deno.land is reachable, or use the bundle (deno task bundle)`;
  }
  const first = stderr.split("\n").find((line) => line.trim() !== "") ?? "";
  return `Cannot compile for "${target}": ${first.replace(/^error: /, "")}`;
}

async function compileAll(): Promise<void> {
  await Deno.mkdir(`${ROOT}${DIST}`, { recursive: true });
  for (const command of compileCommands()) {
    const result = await new Deno.Command(Deno.execPath(), {
      args: command.args,
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "inherit",
      stderr: "piped",
    }).output();
    if (!result.success) {
      const stderr = new TextDecoder().decode(result.stderr);
      throw new Error(compileFailure(command.target, stderr));
    }
    console.log(`Wrote "${command.output}"`);
  }
  // The bundle, then SHA256SUMS for every artifact in dist/.
  await bundle();
  console.log(`Wrote "${DIST}/hangar.js" and "${DIST}/SHA256SUMS"`);
}

if (import.meta.main) {
  try {
    await compileAll();
  } catch (error) {
    console.error(`Error: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
