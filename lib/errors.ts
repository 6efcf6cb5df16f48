/**
 * The one list of failure kinds, and the error every registry layer throws.
 *
 * HTTP statuses are mapped to kinds here and nowhere else; so is the text of
 * an unknown error (`errorMessage`) and of a file-system one (`fileErrorReason`).
 *
 * @module
 */

/** Every failure kind, in a stable order. */
export const FAILURE_KINDS = [
  "missing",
  "mismatch",
  "unauthorized",
  "denied",
  "tls",
  "proxy",
  "network",
  "timeout",
  "rate-limited",
  "server",
  "invalid-manifest",
  "digest-mismatch",
  "not-a-registry",
  "blob-missing",
  "referrer-missing",
  "not-in-snapshot",
  "internal",
  "interrupted",
] as const;

/** Why an image failed, in a form a program can switch on. */
export type FailureKind = (typeof FAILURE_KINDS)[number];

/**
 * Advice that goes with a failure, as data: the report renders it for the
 * side that failed (`tls-verify`: the flag that skips TLS verification).
 */
export type FailureHint = "tls-verify";

/** Options of {@linkcode RegistryError}. */
export interface RegistryErrorOptions {
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** HTTP method of the failed request. */
  method?: string;
  /** URL of the failed request; it is redacted before it is kept. */
  url?: string;
  /** The underlying error. */
  cause?: unknown;
  /** Advice the report adds to the message (see {@linkcode FailureHint}). */
  hint?: FailureHint;
}

/**
 * An error talking to a registry, carrying a {@linkcode FailureKind}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryError } from "./errors.ts";
 * const err = new RegistryError("missing", "manifest unknown", { status: 404 });
 * assert(err.kind === "missing");
 * ```
 */
export class RegistryError extends Error {
  /** What kind of failure this is. */
  readonly kind: FailureKind;
  /** HTTP status, when the registry answered. */
  readonly status?: number;
  /** HTTP method of the request. */
  readonly method?: string;
  /** Redacted URL of the request. */
  readonly url?: string;
  /** Advice the report adds to the message, for the side that failed. */
  readonly hint?: FailureHint;

  /** An error of `kind` with `message`; `options` add the status, URL and hint. */
  constructor(
    kind: FailureKind,
    message: string,
    options: RegistryErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "RegistryError";
    this.kind = kind;
    this.status = options.status;
    this.method = options.method;
    this.url = options.url === undefined ? undefined : redactUrl(options.url);
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

const SECRET_PARAMS =
  /^(token|access_token|password|secret|signature|x-amz-signature|x-amz-credential|sig|key)$/i;

/**
 * Removes user info and secret-looking query values from a URL.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactUrl } from "./errors.ts";
 * assert(
 *   redactUrl("https://u:p@reg.io/v2/?token=abc") ===
 *     "https://reg.io/v2/?token=REDACTED",
 * );
 * ```
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//");
  }
  parsed.username = "";
  parsed.password = "";
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.test(name)) parsed.searchParams.set(name, "REDACTED");
  }
  return parsed.toString();
}

/**
 * Maps an HTTP status (and the registry's error code, when known) to a kind.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { kindForStatus } from "./errors.ts";
 * assert(kindForStatus(429) === "rate-limited");
 * assert(kindForStatus(404, "MANIFEST_UNKNOWN") === "missing");
 * ```
 */
export function kindForStatus(status: number, code?: string): FailureKind {
  if (status === 401) return "unauthorized";
  if (status === 403) {
    return code === "TOOMANYREQUESTS" ? "rate-limited" : "denied";
  }
  if (status === 404) return "missing";
  if (status === 408) return "timeout";
  if (status === 429) return "rate-limited";
  if (status === 400 && code === "MANIFEST_INVALID") return "invalid-manifest";
  return "server";
}

/**
 * Builds the error for a registry answer that was not a success, in the form
 * `GET "<url>": response status code 404: manifest unknown: <detail>`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorFromResponse } from "./errors.ts";
 * const body = '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}';
 * const err = errorFromResponse("GET", "https://r.io/v2/a/manifests/1", 404, body);
 * assert(err.kind === "missing");
 * assert(
 *   err.message ===
 *     'GET "https://r.io/v2/a/manifests/1": response status code 404: manifest unknown',
 * );
 * ```
 */
export function errorFromResponse(
  method: string,
  url: string,
  status: number,
  body = "",
): RegistryError {
  const { code, detail } = parseErrorBody(body);
  const kind = kindForStatus(status, code);
  let message = `${method} "${redactUrl(url)}": response status code ${status}`;
  if (detail) message += `: ${detail}`;
  return new RegistryError(kind, message, { status, method, url });
}

function parseErrorBody(body: string): { code?: string; detail?: string } {
  const text = body.trim();
  if (!text) return {};
  if (text.startsWith("{")) {
    try {
      const parsed = JSON.parse(text) as {
        errors?: { code?: string; message?: string; detail?: unknown }[];
      };
      const errors = Array.isArray(parsed.errors) ? parsed.errors : [];
      const first = errors[0];
      if (first) {
        const parts = errors.map((e) => {
          const msg = (e.message ?? e.code ?? "").toString().toLowerCase();
          const d = typeof e.detail === "string" && e.detail
            ? `: ${e.detail}`
            : "";
          return msg + d;
        });
        return { code: first.code, detail: parts.join("; ") };
      }
    } catch {
      // not JSON after all: fall through to the text form
    }
  }
  if (/^\s*<(!doctype|html)/i.test(text)) {
    return { detail: "unexpected HTML answer" };
  }
  const oneLine = text.replace(/\s+/g, " ");
  return {
    detail: oneLine.length > 200 ? `${oneLine.slice(0, 200)}...` : oneLine,
  };
}

/**
 * A usage error: a flag, an argument or a file named on the command line is
 * wrong. The CLI prints its message on one line and exits 2.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./errors.ts";
 * assert(new UsageError("Invalid --jobs \"x\"") instanceof Error);
 * ```
 */
export class UsageError extends Error {}

/**
 * The message of anything thrown: an Error's `message`, else its text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorMessage } from "./errors.ts";
 * assert.equal(errorMessage(new RangeError("too big")), "too big");
 * assert.equal(errorMessage("plain"), "plain");
 * ```
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Tells whether a file-system error says the path does not exist (Deno's
 * `NotFound`, or a `node:` error with code `ENOENT`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNotFound } from "./errors.ts";
 * assert(isNotFound(new Deno.errors.NotFound("x")));
 * assert(isNotFound(Object.assign(new Error("x"), { code: "ENOENT" })));
 * assert(!isNotFound(new Deno.errors.PermissionDenied("x")));
 * ```
 */
export function isNotFound(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    (error as { code?: unknown })?.code === "ENOENT";
}

/**
 * Why a file could not be read or written, short: `no such file`,
 * `permission denied`, `it is a directory`, else the message without its
 * `(os error N)` tail. For messages like `Cannot read "<path>": <reason>`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileErrorReason } from "./errors.ts";
 * assert.equal(fileErrorReason(new Deno.errors.NotFound("x")), "no such file");
 * assert.equal(
 *   fileErrorReason(new Error("Read-only file system (os error 30): open '/x'")),
 *   "Read-only file system",
 * );
 * ```
 */
export function fileErrorReason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  return errorMessage(error).replace(/\s*\(os error \d+\).*$/, "").replace(
    /:\s*$/,
    "",
  );
}
