/**
 * Helpers of the auth layer: realm checks, final errors, credential
 * fingerprints. Shared by the auth layer and the registry client.
 *
 * @module
 */
import type { Credential } from "./credentials.ts";
import { errorFromResponse, redactUrl, RegistryError } from "../errors.ts";
import { readErrorText } from "../transport/http_body.ts";

/** Options of {@linkcode finalError}. */
export interface FinalErrorOptions {
  /**
   * Advice appended when there is no credential.
   * @default {`log in with "hangar login <registry>"`}
   */
  hint?: string | undefined;
  /**
   * Limit for reading the answer's body, in ms (it is also capped in size).
   * @default {60000}
   */
  bodyTimeoutMs?: number;
}

/**
 * The error for a 401 or 403 that authentication could not fix, with login
 * advice when there was no credential. The body is read under a deadline and
 * a size cap; the URL named is the one actually used.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { finalError } from "./support.ts";
 * const request = new Request("https://reg.io/v2/a/manifests/1");
 * const error = await finalError(request, new Response(null, { status: 401 }), undefined, "reg.io", { hint: "log in" });
 * assert(error.kind === "unauthorized" && error.message.endsWith("; log in"));
 * ```
 */
export async function finalError(
  request: Request,
  response: Response,
  credential: Credential | undefined,
  registry: string,
  options: FinalErrorOptions = {},
): Promise<RegistryError> {
  const url = response.url || request.url;
  let text = "";
  if (request.method === "HEAD") await response.body?.cancel();
  else {
    try {
      text = await readErrorText(response, options.bodyTimeoutMs ?? 60_000);
    } catch (error) {
      if ((error as { name?: unknown })?.name !== "TimeoutError") throw error;
      throw new RegistryError(
        "timeout",
        `${request.method} "${redactUrl(url)}": request timed out`,
        { status: response.status, method: request.method, url, cause: error },
      );
    }
  }
  const base = errorFromResponse(request.method, url, response.status, text);
  if (base.kind !== "unauthorized" && base.kind !== "denied") return base;
  const hint = options.hint;
  const advice = credential === undefined
    ? `; ${hint ?? `log in with "hangar login ${registry}"`}`
    : `; the credentials for "${registry}" were rejected`;
  return new RegistryError(base.kind, authLabel(base.message) + advice, {
    status: response.status,
    method: request.method,
    url,
  });
}

/**
 * Validates a Bearer realm: a http(s) URL that does not downgrade https.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRealm } from "./support.ts";
 * assert(checkRealm("https://auth.io/token", "https://reg.io/v2/", "reg.io") === "https://auth.io/token");
 * ```
 */
export function checkRealm(
  realm: string,
  requestUrl: string,
  registry: string,
): string {
  let parsed: URL;
  try {
    parsed = new URL(realm);
  } catch {
    throw new RegistryError(
      "unauthorized",
      `Cannot use the token realm of "${registry}": "${realm}" is not a URL`,
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new RegistryError(
      "unauthorized",
      `Cannot use the token realm of "${registry}": "${realm}" is not http(s)`,
    );
  }
  if (
    parsed.protocol === "http:" && new URL(requestUrl).protocol === "https:"
  ) {
    throw new RegistryError(
      "unauthorized",
      `Refusing the token realm "${parsed.origin}" of "${registry}": it downgrades https to http`,
    );
  }
  return parsed.href;
}

/**
 * Loads the credential once and fingerprints it (SHA-256, never the secret) for
 * token cache keys.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { identify } from "./support.ts";
 * assert((await identify(undefined)).id === "anonymous");
 * ```
 */
export async function identify(
  source: (() => Promise<Credential | undefined>) | undefined,
): Promise<{ credential?: Credential; id: string }> {
  const credential = await source?.();
  if (credential === undefined) return { id: "anonymous" };
  const secret = "identityToken" in credential
    ? `token\0${credential.identityToken}`
    : `basic\0${credential.username}\0${credential.password}`;
  const hash = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)),
  );
  const id = [...hash.slice(0, 12)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  return { credential, id };
}

/**
 * The repository named by a `/v2/<name>/(manifests|blobs|tags|referrers)/` path.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { repositoryOf } from "./support.ts";
 * assert(repositoryOf("/v2/library/nginx/manifests/1") === "library/nginx");
 * ```
 */
export function repositoryOf(pathname: string): string | undefined {
  const match = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\//.exec(
    pathname,
  );
  return match?.[1];
}

/**
 * The pull scope of a repository.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pullScope } from "./support.ts";
 * assert(pullScope("a/b") === "repository:a/b:pull");
 * ```
 */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/**
 * The host (as `URL.host` writes it) that serves a registry: Docker Hub's
 * names map to `registry-1.docker.io`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointHost } from "./support.ts";
 * assert(endpointHost("docker.io") === "registry-1.docker.io");
 * assert(endpointHost("Reg.io:443") === "reg.io");
 * ```
 */
export function endpointHost(registry: string): string {
  const name = registry.toLowerCase();
  const endpoint = name === "docker.io" || name === "index.docker.io"
    ? "registry-1.docker.io"
    : name;
  try {
    return new URL(`https://${endpoint}`).host;
  } catch {
    return endpoint;
  }
}

/**
 * Names a 401 or 403 in an error message as what it is: "unauthorized" or
 * "denied".
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { authLabel } from "./support.ts";
 * assert(
 *   authLabel('HEAD "u": response status code 401') ===
 *     'HEAD "u": response status code 401 (unauthorized)',
 * );
 * ```
 */
export function authLabel(message: string): string {
  return message.replace(
    /response status code (401|403)(?! \()/,
    (text, status) =>
      `${text} (${status === "401" ? "unauthorized" : "denied"})`,
  );
}
