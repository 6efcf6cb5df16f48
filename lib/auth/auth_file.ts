/**
 * Reading podman's and docker's auth files, for credentials.ts and login.ts.
 *
 * @module
 */

const DOCKER_HUB = ["docker.io", "index.docker.io", "registry-1.docker.io"];
/** The parts of an auth file this tool reads. */
export interface AuthFile {
  auths?: Record<
    string,
    {
      auth?: string;
      identitytoken?: string;
      username?: string;
      password?: string;
    }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/**
 * Whether an `auths` entry holds something usable (docker leaves `{}` entries
 * behind when a credsStore keeps the secret).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { usableEntry } from "./auth_file.ts";
 * assert(!usableEntry({}) && usableEntry({ auth: "YTpi" }));
 * ```
 */
export function usableEntry(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return Boolean(entry.auth || entry.identitytoken || entry.username);
}

/** A username and password, or an identity (refresh) token. */
export type Credential = { username: string; password: string } | {
  identityToken: string;
};

/**
 * Turns an `auths` entry into a credential; undefined when `auth` is not base64
 * `user:password`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeEntry } from "./auth_file.ts";
 * const found = decodeEntry({ auth: "YTpi" });
 * assert(found !== undefined && "username" in found && found.password === "b");
 * ```
 */
export function decodeEntry(
  entry: {
    auth?: string;
    identitytoken?: string;
    username?: string;
    password?: string;
  },
): Credential | undefined {
  if (typeof entry.identitytoken === "string" && entry.identitytoken) {
    return { identityToken: entry.identitytoken };
  }
  if (typeof entry.auth === "string" && entry.auth) {
    let decoded: string;
    try {
      decoded = new TextDecoder().decode(
        Uint8Array.from(atob(entry.auth.trim()), (c) => c.charCodeAt(0)),
      );
    } catch {
      return undefined;
    }
    const colon = decoded.indexOf(":");
    if (colon <= 0) return undefined;
    return {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
    };
  }
  if (typeof entry.username === "string" && entry.username) {
    return { username: entry.username, password: String(entry.password ?? "") };
  }
  return undefined;
}

/**
 * Finds the entry whose key names `host` (a canonical host): `host`,
 * `host:port`, `https://host/v1/`, `http://host`...
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchingEntry } from "./auth_file.ts";
 * assert(matchingEntry({ "https://index.docker.io/v1/": 1 }, "docker.io") === 1);
 * ```
 */
export function matchingEntry<T>(
  entries: Record<string, T>,
  host: string,
  usable: (value: T) => boolean = () => true,
): T | undefined {
  let fallback: T | undefined;
  for (const [key, value] of Object.entries(entries)) {
    if (!usable(value)) continue;
    const stripped = key.trim().toLowerCase().replace(/^[a-z]+:\/\//, "");
    const keyHost = canonicalHost(stripped.split("/")[0] ?? "");
    if (keyHost !== host) continue;
    if (
      !stripped.includes("/") || stripped.endsWith("/v1/") ||
      stripped.endsWith("/v2/")
    ) return value;
    fallback ??= value;
  }
  return fallback;
}

/**
 * Lowercases a registry name and maps Docker Hub's names to `docker.io`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalHost } from "./auth_file.ts";
 * assert(canonicalHost("https://Index.Docker.io/v1/") === "docker.io");
 * ```
 */
export function canonicalHost(registry: string): string {
  const host = registry.trim().toLowerCase().replace(/^[a-z]+:\/\//, "")
    .replace(/\/.*$/, "");
  return DOCKER_HUB.includes(host) ? "docker.io" : host;
}

/**
 * Parses an auth file; throws a SyntaxError that never quotes the file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAuthFile } from "./auth_file.ts";
 * assert(parseAuthFile('{"credsStore":"pass"}').credsStore === "pass");
 * ```
 */
export function parseAuthFile(text: string): AuthFile {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // the parser's message quotes the file, which may hold secrets
    throw new SyntaxError("invalid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SyntaxError("not a JSON object");
  }
  const file = parsed as Record<string, unknown>;
  for (const field of ["auths", "credHelpers"]) {
    const value = file[field];
    if (
      value !== undefined &&
      (typeof value !== "object" || value === null || Array.isArray(value))
    ) {
      throw new SyntaxError(`"${field}" is not an object`);
    }
  }
  return file as AuthFile;
}
