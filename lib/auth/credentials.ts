/**
 * Finds registry credentials where container tools keep them: environment
 * variables, then podman's and docker's auth files (with credential helpers).
 * Never prompts.
 *
 * @module
 */
import {
  HelperNotFoundError,
  runCredentialHelper,
} from "./_credential_helper.ts";
import {
  type AuthFile,
  canonicalHost,
  type Credential,
  decodeEntry,
  matchingEntry,
  parseAuthFile,
  usableEntry,
} from "./auth_file.ts";
import { errorMessage, isNotFound } from "../errors.ts";

export type { Credential };

/** Where {@linkcode findCredential} looks; every field defaults to the real thing. */
export interface CredentialSources {
  /**
   * Environment variables.
   * @default {Deno.env.toObject()}
   */
  env?: Record<string, string | undefined>;
  /**
   * Home directory.
   * @default {env.HOME ?? env.USERPROFILE}
   */
  home?: string;
  /**
   * Reads a file; must throw `Deno.errors.NotFound` for a missing file.
   * @default {Deno.readTextFile}
   */
  readTextFile?: (path: string) => Promise<string>;
  /**
   * Runs `docker-credential-<helper> get` and returns its stdout.
   * @default {runs the helper with a 10 s limit}
   */
  runHelper?: (helper: string, serverUrl: string) => Promise<string>;
  /**
   * Receives one line per unusable file or failing helper (never a secret).
   * @default {ignore}
   */
  warn?: (line: string) => void;
}

const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

/**
 * Finds the credential for `registry` on one side of the run. Order: env
 * `SOURCE_USERNAME`/`SOURCE_PASSWORD` or `DEST_USERNAME`/`DEST_PASSWORD`, then
 * `REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`,
 * `~/.config/containers/auth.json`, `$DOCKER_CONFIG/config.json` (or
 * `~/.docker/config.json`); in each file `credHelpers`, `auths`, `credsStore`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { findCredential } from "./credentials.ts";
 * const found = await findCredential("reg.io", "source", {
 *   env: { SOURCE_USERNAME: "me", SOURCE_PASSWORD: "pw" },
 * });
 * assert(found !== undefined && "username" in found && found.username === "me");
 * ```
 */
export async function findCredential(
  registry: string,
  side: "source" | "destination",
  sources: CredentialSources = {},
): Promise<Credential | undefined> {
  const env = sources.env ?? Deno.env.toObject();
  const prefix = side === "source" ? "SOURCE" : "DEST";
  const username = env[`${prefix}_USERNAME`];
  if (username) return { username, password: env[`${prefix}_PASSWORD`] ?? "" };
  const readTextFile = sources.readTextFile ?? Deno.readTextFile;
  const runHelper = sources.runHelper ??
    ((helper: string, serverUrl: string) =>
      runCredentialHelper(helper, serverUrl, { env }));
  const warn = sources.warn ?? (() => {});
  const host = canonicalHost(registry);
  for (
    const path of authFilePaths(
      env,
      sources.home ?? env.HOME ?? env.USERPROFILE,
    )
  ) {
    let text: string;
    try {
      text = await readTextFile(path);
    } catch (error) {
      if (!isNotFound(error)) {
        warn(`Cannot read auth file "${path}": ${errorMessage(error)}`);
      }
      continue;
    }
    let file: AuthFile;
    try {
      file = parseAuthFile(text);
    } catch (error) {
      warn(`Cannot parse auth file "${path}": ${errorMessage(error)}`);
      continue;
    }
    const found = await fromFile(file, host, path, { runHelper, warn });
    if (found !== undefined) return found;
  }
  return undefined;
}

function authFilePaths(
  env: Record<string, string | undefined>,
  home: string | undefined,
): string[] {
  const paths: string[] = [];
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) {
    paths.push(`${env.XDG_RUNTIME_DIR}/containers/auth.json`);
  }
  if (home) paths.push(`${home}/.config/containers/auth.json`);
  if (env.DOCKER_CONFIG) paths.push(`${env.DOCKER_CONFIG}/config.json`);
  else if (home) paths.push(`${home}/.docker/config.json`);
  return paths;
}

/** What reading credentials needs from the outside world. */
interface HelperIo {
  runHelper: (helper: string, serverUrl: string) => Promise<string>;
  warn: (line: string) => void;
}

async function fromFile(
  file: AuthFile,
  host: string,
  path: string,
  io: HelperIo,
): Promise<Credential | undefined> {
  const serverUrl = host === "docker.io" ? DOCKER_HUB_SERVER : host;
  const helper = matchingEntry(file.credHelpers ?? {}, host);
  if (typeof helper === "string" && helper) {
    const found = await fromHelper(helper, serverUrl, io);
    if (found !== undefined) return found;
  }
  const entry = matchingEntry(
    file.auths ?? {},
    host,
    (value) => usableEntry(value),
  );
  if (entry !== undefined) {
    const found = decodeEntry(entry);
    if (found === undefined) {
      io.warn(
        `Cannot use the "auth" entry for "${host}" in "${path}": not base64 "user:password"`,
      );
    } else return found;
  }
  if (typeof file.credsStore === "string" && file.credsStore) {
    return await fromHelper(file.credsStore, serverUrl, io);
  }
  return undefined;
}

async function fromHelper(
  helper: string,
  serverUrl: string,
  io: HelperIo,
): Promise<Credential | undefined> {
  let output: string;
  try {
    output = await io.runHelper(helper, serverUrl);
  } catch (error) {
    if (!(error instanceof HelperNotFoundError)) io.warn(errorMessage(error));
    return undefined;
  }
  try {
    const parsed = JSON.parse(output) as {
      Username?: unknown;
      Secret?: unknown;
    };
    if (typeof parsed.Secret !== "string" || !parsed.Secret) return undefined;
    if (parsed.Username === "<token>") return { identityToken: parsed.Secret };
    return { username: String(parsed.Username ?? ""), password: parsed.Secret };
  } catch {
    io.warn(
      `Credential helper "docker-credential-${helper}" printed something that is not JSON`,
    );
    return undefined;
  }
}

/**
 * The login advice for missing credentials of one side of a run.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loginHint } from "./credentials.ts";
 * assert(
 *   loginHint("reg.io", "destination") ===
 *     'log in with "hangar login reg.io" or set DEST_USERNAME/DEST_PASSWORD',
 * );
 * ```
 */
export function loginHint(
  registry: string,
  side: "source" | "destination",
): string {
  const prefix = side === "source" ? "SOURCE" : "DEST";
  return `log in with "hangar login ${registry}" or set ${prefix}_USERNAME/${prefix}_PASSWORD`;
}
