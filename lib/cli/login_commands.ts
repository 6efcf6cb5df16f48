/**
 * The `hangar login` and `hangar logout` commands, and the TLS flag parser
 * the CLI shares. For cli.ts.
 *
 * @module
 */
import { parseTlsVerify } from "./support.ts";
import { Command } from "@commander-js/extra-typings";
import type { Fetch } from "../transport/fetch.ts";
import { login, logout } from "../registry/login.ts";
import { errorMessage, RegistryError } from "../errors.ts";
import { hintText } from "../report/report.ts";

/** What the login commands read and write. */
export interface LoginCliIo {
  /** Receives stdout text. */
  stdout: (text: string) => void;
  /** Receives stderr text. */
  stderr: (text: string) => void;
  /** Environment variables. */
  env: Record<string, string | undefined>;
  /** Base fetch (tests pass a fake registry). */
  fetch?: Fetch;
  /** Where `--password-stdin` reads. @default {Deno.stdin.readable} */
  stdin?: ReadableStream<Uint8Array>;
  /** Interrupts the check. */
  signal?: AbortSignal;
}

/**
 * Makes the `login` and `logout` commands; each calls `done` with its exit
 * code (0, 1 when the registry or the file refused, 2 for a usage error).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loginCommands } from "./login_commands.ts";
 * const [loginCommand, logoutCommand] = loginCommands(
 *   { stdout: () => {}, stderr: () => {}, env: {} },
 *   () => {},
 * );
 * assert(loginCommand.name() === "login" && logoutCommand.name() === "logout");
 * ```
 */
export function loginCommands(
  io: LoginCliIo,
  done: (code: number) => void,
) {
  const fail = (error: unknown) => {
    const message = errorMessage(error);
    const hint = error instanceof RegistryError && error.hint
      ? hintText(error.hint)
      : "";
    io.stderr(`Error: ${message}${hint}\n`);
    done(
      error instanceof RangeError || error instanceof TypeError ? 2 : 1,
    );
  };
  const loginCommand = new Command("login")
    .description(
      "Check credentials against a registry and store them in the containers auth.json",
    )
    .argument("<registry>", "registry host, e.g. registry.io:5000")
    .requiredOption("-u, --username <user>", "user name")
    .option("-p, --password <password>", "password (prefer --password-stdin)")
    .option("--password-stdin", "read the password from stdin", false)
    .option("--authfile <file>", "auth file to write")
    .option(
      "--tls-verify [bool]",
      "verify TLS; false skips it and falls back to http",
      "true",
    )
    .option(
      "--cert-dir <dir>",
      "directory of *.crt CAs and *.cert/*.key client certificates",
    )
    .action(async (registry, flags) => {
      try {
        if (flags.password !== undefined && flags.passwordStdin) {
          throw new RangeError(
            "Use either --password or --password-stdin, not both",
          );
        }
        if (flags.password === undefined && !flags.passwordStdin) {
          throw new RangeError(
            "A password is needed: pass --password-stdin (or --password)",
          );
        }
        if (flags.password !== undefined) {
          io.stderr(
            "WARNING! Using --password on the command line is insecure: use --password-stdin\n",
          );
        }
        const password = flags.password ??
          await readPassword(io.stdin ?? Deno.stdin.readable);
        const path = await login(registry, {
          username: flags.username,
          password,
        }, {
          env: io.env,
          tlsVerify: parseTlsVerify("--tls-verify", flags.tlsVerify) ?? true,
          ...(flags.authfile !== undefined ? { authFile: flags.authfile } : {}),
          ...(flags.certDir !== undefined ? { certDir: flags.certDir } : {}),
          ...(io.fetch ? { fetch: io.fetch } : {}),
          ...(io.signal ? { signal: io.signal } : {}),
        });
        io.stdout(`Login Succeeded! (credentials stored in "${path}")\n`);
        done(0);
      } catch (error) {
        fail(error);
      }
    });
  const logoutCommand = new Command("logout")
    .description("Remove the stored credentials of a registry")
    .argument("<registry>", "registry host, e.g. registry.io:5000")
    .option("--authfile <file>", "auth file to change")
    .action(async (registry, flags) => {
      try {
        const path = await logout(registry, {
          env: io.env,
          ...(flags.authfile !== undefined ? { authFile: flags.authfile } : {}),
        });
        io.stdout(
          `Removed login credentials for "${registry}" from "${path}"\n`,
        );
        done(0);
      } catch (error) {
        fail(error);
      }
    });
  return [loginCommand, logoutCommand] as const;
}

async function readPassword(
  stdin: ReadableStream<Uint8Array>,
): Promise<string> {
  const text = await new Response(stdin).text();
  return text.replace(/\r?\n$/, "");
}
