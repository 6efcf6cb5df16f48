/**
 * External tools for tests and `scripts/run_tests.ts`: one way to look a
 * tool up on `PATH`, to demand tools (with the install hint), to ask
 * whether a command runs, and to run one for its output.
 *
 * @module
 */

const INSTALL_HINT =
  "apt-get install -y docker-registry skopeo apache2-utils tinyproxy curl";

/**
 * The error for a tool that cannot be started: it names the tool and how to
 * install the test tools.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { missingTool } from "./tools.ts";
 * assert.equal(
 *   missingTool("skopeo").message,
 *   'Missing test tool "skopeo": install it with apt-get install -y docker-registry skopeo apache2-utils tinyproxy curl',
 * );
 * ```
 */
export function missingTool(name: string, cause?: unknown): Error {
  return new Error(
    `Missing test tool "${name}": install it with ${INSTALL_HINT}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Whether `name` is an executable file in one of the `PATH` directories.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasTool } from "./tools.ts";
 * assert.equal(await hasTool("no-such-tool-xyz"), false);
 * ```
 */
export async function hasTool(name: string): Promise<boolean> {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d !== "");
  for (const dir of dirs) {
    const info = await Deno.stat(`${dir}/${name}`).catch(() => undefined);
    if (info?.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return true;
  }
  return false;
}

/**
 * Throws unless every named tool is an executable on `PATH`
 * (see {@linkcode hasTool}); the message names each missing tool and how to
 * install the test tools.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireTools } from "./tools.ts";
 * await assert.rejects(requireTools("no-such-tool-xyz"), {
 *   message:
 *     'Missing test tools "no-such-tool-xyz": install them with apt-get install -y docker-registry skopeo apache2-utils tinyproxy curl',
 * });
 * ```
 */
export async function requireTools(...names: string[]): Promise<void> {
  const missing: string[] = [];
  for (const name of names) {
    if (!(await hasTool(name))) missing.push(`"${name}"`);
  }
  if (missing.length > 0) {
    throw new Error(
      `Missing test tools ${
        missing.join(", ")
      }: install them with ${INSTALL_HINT}`,
    );
  }
}

/**
 * Whether `command ARGS` runs and exits 0, its output discarded; false
 * when the command cannot be started at all.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { succeeds } from "./tools.ts";
 * assert.equal(await succeeds("no-such-tool-xyz", ["--version"]), false);
 * ```
 */
export async function succeeds(
  command: string,
  args: string[],
): Promise<boolean> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * Runs a tool and returns its stdout; the error names the command and its
 * stderr (never the stdin, which may carry a password).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runTool } from "./tools.ts";
 * const out = await runTool("openssl", ["version"]);
 * assert(out.startsWith("OpenSSL"));
 * ```
 */
export async function runTool(
  command: string,
  args: string[],
  options: { stdin?: string } = {},
): Promise<string> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command, {
      args,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw missingTool(command, error);
    }
    throw error;
  }
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(
      `Command "${command} ${
        args.join(" ")
      }" failed with exit code ${output.code}: ${stderr}`,
    );
  }
  return new TextDecoder().decode(output.stdout);
}
