/**
 * Batched token scopes: the token spec lets one request carry several
 * `scope` parameters, so the pull scopes of the repositories a run will read
 * next are asked for together (up to {@linkcode MAX_BATCH_SCOPES}, within
 * {@linkcode MAX_BATCH_URL} characters). The token is used for each scope
 * it grants (read from the JWT's `access` claim); a scope the endpoint
 * refused or narrowed away gets a token of its own, as without batching.
 *
 * @module
 */

/** Most scopes asked for in one token request. */
export const MAX_BATCH_SCOPES = 20;
/** Longest token URL a batch may make, in characters. */
export const MAX_BATCH_URL = 3000;

/**
 * The `repository:NAME:pull` scopes a JWT grants (its `access` claim), or
 * undefined when the token is not a JWT with that claim (opaque tokens are
 * then used for the one scope they were asked for only).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { grantedScopes } from "./scope_batch.ts";
 * const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "");
 * const jwt = [
 *   part({ alg: "RS256" }),
 *   part({ access: [{ type: "repository", name: "a/b", actions: ["pull"] }] }),
 *   "sig",
 * ].join(".");
 * assert.deepEqual([...grantedScopes(jwt)!], ["repository:a/b:pull"]);
 * assert.equal(grantedScopes("opaque"), undefined);
 * ```
 */
export function grantedScopes(token: string): Set<string> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  let claims: unknown;
  try {
    const base64 = parts[1]!.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - base64.length % 4) % 4);
    const binary = atob(padded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    claims = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const access = (claims as { access?: unknown })?.access;
  if (!Array.isArray(access)) return undefined;
  const scopes = new Set<string>();
  for (const grant of access) {
    const { type, name, actions } = grant ?? {};
    if (
      type === "repository" && typeof name === "string" &&
      Array.isArray(actions) &&
      (actions.includes("pull") || actions.includes("*"))
    ) scopes.add(`repository:${name}:pull`);
  }
  return scopes;
}

/**
 * Takes the next batch from `wanted` (removing it): at most
 * {@linkcode MAX_BATCH_SCOPES} scopes whose query stays within
 * {@linkcode MAX_BATCH_URL} characters after `base`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { takeBatch } from "./scope_batch.ts";
 * const wanted = new Set(["repository:a:pull", "repository:b:pull"]);
 * assert.deepEqual(takeBatch(wanted, "https://auth.io/token?service=r"), [
 *   "repository:a:pull",
 *   "repository:b:pull",
 * ]);
 * assert.equal(wanted.size, 0);
 * ```
 */
export function takeBatch(wanted: Set<string>, base: string): string[] {
  const batch: string[] = [];
  let length = base.length;
  for (const scope of wanted) {
    const added = "&scope=".length + encodeURIComponent(scope).length;
    if (batch.length >= MAX_BATCH_SCOPES) break;
    if (batch.length > 0 && length + added > MAX_BATCH_URL) break;
    batch.push(scope);
    length += added;
  }
  for (const scope of batch) wanted.delete(scope);
  return batch;
}
