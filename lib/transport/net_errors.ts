/**
 * Classifies transport errors (Deno fetch, node:https) and turns them into
 * {@linkcode RegistryError}s. Used by the transport and registry layers.
 *
 * @module
 */
import { redactUrl, RegistryError } from "../errors.ts";

/** What went wrong below HTTP. */
export type NetFailure =
  | "tls"
  | "refused"
  | "dns"
  | "reset"
  | "timeout"
  | "aborted"
  | "other";

const TLS_CODES =
  /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH)/;

/**
 * Classifies an error thrown by a fetch implementation.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyNetError } from "./net_errors.ts";
 * const err = new TypeError("fetch failed", {
 *   cause: new Error("client error (Connect): tcp connect error: Connection refused"),
 * });
 * assert(classifyNetError(err) === "refused");
 * ```
 */
export function classifyNetError(error: unknown): NetFailure {
  if (error instanceof RegistryError) {
    if (error.kind === "tls") return "tls";
    if (error.kind === "timeout") return "timeout";
    // A proxy's refusal is final: no retry, no fallback to plain http.
    if (error.kind === "proxy") return "refused";
    return error.cause === undefined ? "other" : classifyNetError(error.cause);
  }
  const name = (error as { name?: unknown })?.name;
  if (name === "TimeoutError") return "timeout";
  if (name === "AbortError") return "aborted";
  const code = errorCode(error);
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED") {
    return "reset";
  }
  if (code === "ETIMEDOUT") return "timeout";
  if (code !== undefined && TLS_CODES.test(code)) return "tls";
  const text = errorText(error);
  if (/certificate|tls|ssl|corrupt message|handshake/i.test(text)) return "tls";
  if (/connection refused/i.test(text)) return "refused";
  if (/dns error|lookup address|name or service not known/i.test(text)) {
    return "dns";
  }
  if (
    /reset|closed before|broken pipe|connection closed|unexpected eof/i.test(
      text,
    )
  ) return "reset";
  if (/timed out/i.test(text)) return "timeout";
  return "other";
}

/**
 * The message of an error and of its causes, joined by ": ".
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorText } from "./net_errors.ts";
 * const err = new TypeError("fetch failed", { cause: new Error("boom") });
 * assert(errorText(err) === "fetch failed: boom");
 * ```
 */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (
    let depth = 0;
    current !== undefined && current !== null && depth < 5;
    depth++
  ) {
    const message = current instanceof Error
      ? current.message
      : String(current);
    if (message && !parts.includes(message)) parts.push(message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(": ");
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Options of {@linkcode toRegistryError}. */
export interface ToRegistryErrorOptions {
  /**
   * Whether TLS verification was already off (no `--tls-verify=false` hint then).
   * @default {false}
   */
  insecure?: boolean;
}

/**
 * Turns a transport error into a {@linkcode RegistryError}; abort errors that are
 * not timeouts, and errors that already are RegistryErrors, come back unchanged.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { toRegistryError } from "./net_errors.ts";
 * import { RegistryError } from "../errors.ts";
 * const err = toRegistryError(
 *   new Error("invalid peer certificate: UnknownIssuer"),
 *   new Request("https://reg.io/v2/"),
 * );
 * assert(err instanceof RegistryError && err.kind === "tls");
 * ```
 */
export function toRegistryError(
  error: unknown,
  request: Request,
  options: ToRegistryErrorOptions = {},
): unknown {
  if (error instanceof RegistryError) return error;
  const failure = classifyNetError(error);
  if (failure === "aborted") return error;
  const url = new URL(request.url);
  const where = { method: request.method, url: request.url, cause: error };
  const detail = errorText(error)
    .replace(/^fetch failed: /, "")
    .replace(/error sending request [^)]*\): /, "")
    .replace(/client error \(\w+\): /, "");
  switch (failure) {
    case "tls": {
      return new RegistryError(
        "tls",
        `TLS connection to "${url.host}" failed: ${describeTls(detail)}`,
        options.insecure ? where : { ...where, hint: "tls-verify" },
      );
    }
    case "refused":
      return new RegistryError(
        "network",
        `Cannot connect to "${url.host}": connection refused`,
        where,
      );
    case "dns":
      return new RegistryError(
        "network",
        `Cannot resolve "${url.hostname}": ${detail}`,
        where,
      );
    case "timeout":
      return new RegistryError(
        "timeout",
        `${request.method} "${redactUrl(request.url)}": request timed out`,
        where,
      );
    case "reset":
      return new RegistryError(
        "network",
        `Connection to "${url.host}" was closed: ${detail}`,
        where,
      );
    default:
      return new RegistryError(
        "network",
        `${request.method} "${redactUrl(request.url)}": ${detail}`,
        where,
      );
  }
}

const TLS_PROBLEMS: [RegExp, string][] = [
  [
    /UnknownIssuer|UNABLE_TO_GET_ISSUER|unable to get local issuer|SELF.SIGNED/i,
    "the certificate is signed by an unknown authority",
  ],
  [/Expired|CERT_HAS_EXPIRED/i, "the certificate has expired"],
  [/NotValidYet|CERT_NOT_YET_VALID/i, "the certificate is not valid yet"],
  [
    /NotValidForName|ALTNAME|hostname/i,
    "the certificate does not match the host name",
  ],
  [
    /CaUsedAsEndEntity/i,
    "the certificate is self-signed (its own CA) and not trusted: put it in --cert-dir or certs.d/HOST as ca.crt, with a subjectAltName naming the host",
  ],
  [
    /corrupt message|wrong version number|InvalidContentType/i,
    "the server does not speak TLS",
  ],
];

function describeTls(detail: string): string {
  for (const [pattern, text] of TLS_PROBLEMS) {
    if (pattern.test(detail)) return `${text} (${detail})`;
  }
  return detail;
}
