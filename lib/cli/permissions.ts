/**
 * The least-privilege permission set of the CLI (the `permissions.default`
 * set of deno.json, and the same as `deno run` flags for the bundle), the
 * environment it reads, and the one-line message for a denied permission.
 *
 * @module
 */

/** The environment variables the CLI reads (and the proxy ones it resets). */
export const ENV_VARIABLES: readonly string[] = [
  "SOURCE_REGISTRY",
  "DEST_REGISTRY",
  "SOURCE_USERNAME",
  "SOURCE_PASSWORD",
  "DEST_USERNAME",
  "DEST_PASSWORD",
  "REGISTRY_AUTH_FILE",
  "XDG_RUNTIME_DIR",
  "HOME",
  "USERPROFILE",
  "DOCKER_CONFIG",
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "NO_PROXY",
  "no_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_COLOR",
  "CI",
  "JOB_COMPLETION_INDEX",
  // passed on to credential helpers (gpg, pass, the secret service)
  "PATH",
  "DBUS_SESSION_BUS_ADDRESS",
  "GNUPGHOME",
  "PASSWORD_STORE_DIR",
  // read by node:tls under Deno
  "NODE_USE_SYSTEM_CA",
  "NODE_EXTRA_CA_CERTS",
];

/** The credential helpers the set lets the CLI run (`docker-credential-*`). */
export const CREDENTIAL_HELPERS: readonly string[] = [
  "desktop",
  "osxkeychain",
  "wincred",
  "pass",
  "secretservice",
  "ecr-login",
  "gcloud",
  "acr-env",
].map((name) => `docker-credential-${name}`);

/**
 * The permission set, in the form of deno.json's `permissions.default`:
 * any host (registries, token services, proxies), reading any file (lists,
 * auth files, certificates), writing any file (the failed file, reports,
 * snapshots, `hangar login`), the named variables, the credential helpers,
 * and the system CA store (`node:tls`).
 */
export const PERMISSION_SET: {
  net: true;
  read: true;
  write: true;
  env: readonly string[];
  run: readonly string[];
  sys: readonly string[];
} = {
  net: true,
  read: true,
  write: true,
  env: ENV_VARIABLES,
  run: CREDENTIAL_HELPERS,
  sys: ["ca"],
};

/**
 * {@linkcode PERMISSION_SET} as `deno run` flags. Deno 2.9.6 accepts `ca` as
 * a `sys` entry only in deno.json, so the flags allow all of `sys`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { permissionFlags } from "./permissions.ts";
 * const flags = permissionFlags();
 * assert.deepEqual(flags.slice(0, 3), ["--allow-net", "--allow-read", "--allow-write"]);
 * assert.equal(flags.at(-1), "--allow-sys");
 * assert(!flags.includes("-A"));
 * ```
 */
export function permissionFlags(): string[] {
  return [
    "--allow-net",
    "--allow-read",
    "--allow-write",
    `--allow-env=${ENV_VARIABLES.join(",")}`,
    `--allow-run=${CREDENTIAL_HELPERS.join(",")}`,
    "--allow-sys",
  ];
}

const DENIED =
  /Requires (\w+) access(?: to "([^"]*)")?, run again with the (--allow-[\w-]+) flag/;

/**
 * The one line for a permission Deno denied (`NotCapable`,
 * `PermissionDenied`, or a message that quotes one), naming the flag to
 * add; `undefined` for anything else.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { missingPermission } from "./permissions.ts";
 * const error = new Deno.errors.NotCapable(
 *   'Requires net access to "reg:5000", run again with the --allow-net flag',
 * );
 * assert.equal(
 *   missingPermission(error),
 *   'Missing permission: net access to "reg:5000": run again with --allow-net',
 * );
 * assert.equal(missingPermission(new Error("boom")), undefined);
 * ```
 */
export function missingPermission(error: unknown): string | undefined {
  const text = error instanceof Error ? error.message : String(error);
  const match = DENIED.exec(text);
  if (match === null) return undefined;
  const [, kind, target, flag] = match;
  return `Missing permission: ${kind} access${
    target === undefined ? "" : ` to "${target}"`
  }: run again with ${flag}`;
}

/**
 * The environment the CLI reads: all of it when env access is granted as a
 * whole (`-A`, `--allow-env`), else the variables of
 * {@linkcode ENV_VARIABLES}. A variable that may not be read throws
 * `Deno.errors.NotCapable`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEnvironment } from "./permissions.ts";
 * Deno.env.set("HANGAR_DOC_EXAMPLE", "1");
 * assert.equal(readEnvironment().HANGAR_DOC_EXAMPLE, "1");
 * Deno.env.delete("HANGAR_DOC_EXAMPLE");
 * ```
 */
export function readEnvironment(): Record<string, string | undefined> {
  if (Deno.permissions.querySync({ name: "env" }).state === "granted") {
    return Deno.env.toObject();
  }
  const env: Record<string, string | undefined> = {};
  for (const name of ENV_VARIABLES) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}
