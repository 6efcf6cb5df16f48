/**
 * Naming a token endpoint by its role ("the auth service of REGISTRY at
 * HOST") in messages. Private helper of auth.ts and token_request.ts.
 *
 * @module
 */
import { redactUrl, RegistryError } from "../errors.ts";

/**
 * Names a token endpoint by its role in messages.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { authService } from "./_auth_service.ts";
 * assert.equal(
 *   authService("reg.io", "https://auth.io/token"),
 *   'the auth service of "reg.io" at "auth.io"',
 * );
 * ```
 */
export function authService(registry: string, realm: string): string {
  let host = realm;
  try {
    host = new URL(realm).host;
  } catch {
    // not a URL: named as given
  }
  return `the auth service of "${registry}" at "${host}"`;
}

/**
 * When `signal` aborted with a "TimeoutError" (the limit of one image) while
 * a token was awaited, the "timeout" error naming the token request; `error`
 * unchanged otherwise.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { authServiceTimeout } from "./_auth_service.ts";
 * const reason = new DOMException("timed out after 30s", "TimeoutError");
 * const error = authServiceTimeout(reason, AbortSignal.abort(reason), "reg.io", "https://auth.io/token") as Error;
 * assert.equal(
 *   error.message,
 *   'timed out after 30s while getting a token from the auth service of "reg.io" at "auth.io": GET "https://auth.io/token"',
 * );
 * ```
 */
export function authServiceTimeout(
  error: unknown,
  signal: AbortSignal,
  registry: string,
  realm: string,
): unknown {
  const reason = signal.reason;
  if (
    !signal.aborted || error !== reason || !(reason instanceof DOMException) ||
    reason.name !== "TimeoutError"
  ) return error;
  return new RegistryError(
    "timeout",
    `${reason.message} while getting a token from ${
      authService(registry, realm)
    }: GET "${redactUrl(realm)}"`,
    { method: "GET", url: realm, cause: error },
  );
}
