/**
 * Runs `docker-credential-<name> get`, the protocol of docker's credential
 * helpers. Private helper of credentials.ts.
 *
 * @module
 */

/** Options of {@linkcode runCredentialHelper}. */
export interface RunHelperOptions {
  /**
   * Time limit in ms.
   * @default {10000}
   */
  timeoutMs?: number;
  /**
   * Environment of the helper (its PATH is used to find it).
   * @default {the process environment}
   */
  env?: Record<string, string | undefined>;
}

/** The helper answered that it has nothing for this server. */
export class HelperNotFoundError extends Error {
  constructor(helper: string) {
    super(`Credential helper "docker-credential-${helper}" has no credentials`);
    this.name = "HelperNotFoundError";
  }
}

/**
 * Runs `docker-credential-<helper> get` with `serverUrl` on stdin and returns its
 * stdout. Throws {@linkcode HelperNotFoundError} when it reports "credentials not
 * found", an Error naming the helper otherwise, which quotes the first line of
 * its standard error but never its standard output (where the secret is).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCredentialHelper } from "./_credential_helper.ts";
 * try {
 *   await runCredentialHelper("no-such-helper-here", "reg.io");
 * } catch (error) {
 *   assert(String(error).includes("docker-credential-no-such-helper-here"));
 * }
 * ```
 */
export async function runCredentialHelper(
  helper: string,
  serverUrl: string,
  options: RunHelperOptions = {},
): Promise<string> {
  const program = `docker-credential-${helper}`;
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    throw new TypeError(
      `Cannot run credential helper "${program}": invalid name`,
    );
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value !== undefined) env[name] = value;
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args: ["get"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      ...(options.env ? { env, clearEnv: true } : {}),
    }).spawn();
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "not found"
      : String(error);
    throw new Error(`Cannot run credential helper "${program}": ${reason}`);
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, options.timeoutMs ?? 10_000);
  try {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(serverUrl)).catch(() => {});
    await writer.close().catch(() => {});
    const output = await child.output();
    const stdout = new TextDecoder().decode(output.stdout);
    if (timedOut) throw new Error(`Credential helper "${program}" timed out`);
    if (output.success) return stdout;
    const stderr = new TextDecoder().decode(output.stderr).trim();
    // docker's helpers print "credentials not found" on stdout; it is only
    // looked at, never quoted: stdout is where a helper puts its secret
    if (/credentials not found/i.test(`${stdout} ${stderr}`)) {
      throw new HelperNotFoundError(helper);
    }
    const detail = stderr.split("\n")[0]?.slice(0, 200) ?? "";
    throw new Error(
      `Credential helper "${program}" failed with exit code ${output.code}${
        detail ? `: ${detail}` : ""
      }`,
    );
  } finally {
    clearTimeout(timer);
  }
}
