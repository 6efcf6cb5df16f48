/**
 * `hangar login` and `hangar logout`: check credentials against a registry and
 * keep them in the containers auth.json the way podman does.
 *
 * @module
 */
import { canonicalHost, parseAuthFile } from "../auth/auth_file.ts";
import type { FindCertificatesOptions } from "../transport/certs.ts";
import { createRegistryFetch } from "../transport/registry_fetch.ts";
import type { ClosableFetch, Fetch } from "../transport/fetch.ts";
import { RegistryClient } from "./client.ts";
import { basicAuthorization } from "../auth/token_request.ts";
import { fileErrorReason } from "../errors.ts";

/** Where the auth file is; every field defaults to the real thing. */
export interface AuthFileOptions {
  /**
   * Explicit auth file (the `--authfile` flag), before any variable.
   * @default {undefined}
   */
  authFile?: string;
  /**
   * Environment variables (`REGISTRY_AUTH_FILE`, `XDG_RUNTIME_DIR`, `HOME`;
   * for `login` also the proxy variables, see transport/proxy.ts).
   * @default {Deno.env.toObject()}
   */
  env?: Record<string, string | undefined>;
}

/** Options of {@linkcode login}. */
export interface LoginOptions extends AuthFileOptions {
  /**
   * Verify TLS; false = https without verification, then plain http.
   * @default {true}
   */
  tlsVerify?: boolean;
  /**
   * Certificate directory used instead of the certs.d directories.
   * @default {undefined}
   */
  certDir?: string;
  /**
   * Where per-registry certificates are looked up.
   * @default {/etc/containers/certs.d and /etc/docker/certs.d}
   */
  certificates?: Omit<FindCertificatesOptions, "certDir">;
  /**
   * Base fetch (tests pass a fake registry).
   * @default {the registry's fetch with its certificates}
   */
  fetch?: Fetch;
  /**
   * Debug log, one line per request, never a secret.
   * @default {undefined}
   */
  debug?: (line: string) => void;
  /**
   * Aborts the check.
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * The auth file `hangar login` writes: `authFile`, `REGISTRY_AUTH_FILE`,
 * `$XDG_RUNTIME_DIR/containers/auth.json`, else
 * `~/.config/containers/auth.json`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loginAuthFile } from "./login.ts";
 * assert(loginAuthFile({ env: { XDG_RUNTIME_DIR: "/run/user/1" } }) ===
 *   "/run/user/1/containers/auth.json");
 * assert(loginAuthFile({ env: { HOME: "/home/u" } }) ===
 *   "/home/u/.config/containers/auth.json");
 * ```
 */
export function loginAuthFile(options: AuthFileOptions = {}): string {
  if (options.authFile) return options.authFile;
  const env = options.env ?? Deno.env.toObject();
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  if (env.XDG_RUNTIME_DIR) {
    return `${env.XDG_RUNTIME_DIR}/containers/auth.json`;
  }
  const home = env.HOME ?? env.USERPROFILE;
  if (!home) {
    throw new TypeError(
      "Cannot find the auth file: set REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR or HOME",
    );
  }
  return `${home}/.config/containers/auth.json`;
}

/**
 * Checks a user name and password with an authenticated `GET /v2/` (a
 * RegistryError of kind "unauthorized" when they are rejected), then stores
 * them under the registry's host in the auth file (mode 0600), replacing
 * any other entry for the same host. Returns the file's path.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { login } from "./login.ts";
 * const dir = await Deno.makeTempDir();
 * const file = await login("reg.io", { username: "alice", password: "pw" }, {
 *   authFile: `${dir}/auth.json`,
 *   fetch: (request) => Promise.resolve(new Response("{}", {
 *     status: request.headers.has("authorization") ? 200 : 401,
 *     headers: { "www-authenticate": 'Basic realm="reg"' },
 *   })),
 * });
 * const saved = JSON.parse(await Deno.readTextFile(file));
 * assert(saved.auths["reg.io"].auth === btoa("alice:pw"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function login(
  registry: string,
  credential: { username: string; password: string },
  options: LoginOptions = {},
): Promise<string> {
  const { username, password } = credential;
  const host = canonicalHost(registry);
  if (host === "") throw new TypeError("Cannot log in: the registry is empty");
  if (username === "" || username.includes(":")) {
    throw new TypeError(
      `Cannot log in to "${host}": the user name is empty or has a colon`,
    );
  }
  if (password === "") {
    throw new TypeError(`Cannot log in to "${host}": the password is empty`);
  }
  const path = loginAuthFile(options);
  const file = await readAuthFile(path);
  const tlsVerify = options.tlsVerify ?? true;
  let own: ClosableFetch | undefined;
  const fetch = options.fetch ?? (own = createRegistryFetch(host, {
    ...options.certificates,
    ...(options.certDir !== undefined ? { certDir: options.certDir } : {}),
    tlsVerify,
    ...(options.env ? { proxyEnv: options.env } : {}),
    ...(options.debug ? { debug: options.debug } : {}),
  }));
  const client = new RegistryClient(host, {
    fetch,
    tlsVerify,
    credential: () => Promise.resolve({ username, password }),
    retry: { maxAttempts: 2 },
    ...(options.debug ? { debug: options.debug } : {}),
  });
  try {
    await client.ping(options.signal);
  } finally {
    client.close();
    own?.close();
  }
  const auths = withoutHost(file.auths, host);
  auths[host] = {
    auth: basicAuthorization({ username, password }).slice("Basic ".length),
  };
  await writeAuthFile(path, { ...file.json, auths });
  return path;
}

/**
 * Removes every entry for the registry from the auth file `hangar login`
 * writes and returns the file's path; throws an Error when there was none.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { logout } from "./login.ts";
 * const dir = await Deno.makeTempDir();
 * const authFile = `${dir}/auth.json`;
 * await Deno.writeTextFile(authFile, JSON.stringify({ auths: { "reg.io": { auth: "YTpi" } } }));
 * await logout("reg.io", { authFile });
 * assert(await Deno.readTextFile(authFile) === '{\n\t"auths": {}\n}\n');
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function logout(
  registry: string,
  options: AuthFileOptions = {},
): Promise<string> {
  const host = canonicalHost(registry);
  const path = loginAuthFile(options);
  const file = await readAuthFile(path);
  const auths = withoutHost(file.auths, host);
  if (Object.keys(auths).length === Object.keys(file.auths).length) {
    throw new Error(`Not logged in to "${host}": no entry in "${path}"`);
  }
  await writeAuthFile(path, { ...file.json, auths });
  return path;
}

interface LoadedAuthFile {
  json: Record<string, unknown>;
  auths: Record<string, unknown>;
}

async function readAuthFile(path: string): Promise<LoadedAuthFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { json: {}, auths: {} };
    throw new Error(
      `Cannot read auth file "${path}": ${fileErrorReason(error)}`,
      {
        cause: error,
      },
    );
  }
  try {
    const parsed = parseAuthFile(text);
    const json = parsed as Record<string, unknown>;
    return { json, auths: { ...(parsed.auths ?? {}) } };
  } catch (error) {
    throw new Error(
      `Cannot update auth file "${path}": ${
        fileErrorReason(error)
      }; fix or remove it`,
      { cause: error },
    );
  }
}

function withoutHost(
  auths: Record<string, unknown>,
  host: string,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(auths).filter(([key]) => canonicalHost(key) !== host),
  );
}

async function writeAuthFile(
  path: string,
  json: Record<string, unknown>,
): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) {
    await Deno.mkdir(path.slice(0, slash), { recursive: true, mode: 0o700 });
  }
  const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(temp, `${JSON.stringify(json, null, "\t")}\n`, {
      mode: 0o600,
      createNew: true,
    });
    await Deno.chmod(temp, 0o600);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw new Error(
      `Cannot write auth file "${path}": ${fileErrorReason(error)}`,
      {
        cause: error,
      },
    );
  }
}
