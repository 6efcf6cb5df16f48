/**
 * The base of the transport stack: a `fetch` that verifies TLS (optionally with
 * extra CA certificates or a client certificate) or one that does not.
 *
 * Redirects are never followed here: the registry client follows them itself so
 * that credentials never travel to another host.
 *
 * @module
 */
import { createInsecureFetch } from "./_insecure_fetch.ts";

/** The one function every transport layer takes and returns. */
export type Fetch = (request: Request) => Promise<Response>;

/** A {@linkcode Fetch} that holds connections or clients until it is closed. */
export type ClosableFetch = Fetch & {
  /** Releases the HTTP client or connection pool; safe to call twice. */
  close(): void;
};

/** Options of {@linkcode createFetch}. */
export interface CreateFetchOptions {
  /**
   * Verify the server certificate. `false` uses an implementation on
   * `node:https` with `rejectUnauthorized: false`.
   * @default {true}
   */
  tlsVerify?: boolean;
  /**
   * Extra CA certificates (PEM) to trust.
   * @default {undefined}
   */
  caCerts?: string[];
  /**
   * Client certificate chain (PEM) for mutual TLS.
   * @default {undefined}
   */
  cert?: string;
  /**
   * Private key (PEM) of the client certificate.
   * @default {undefined}
   */
  key?: string;
}

/**
 * Creates the base fetch of the transport stack.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFetch } from "./fetch.ts";
 * const fetch = createFetch({ tlsVerify: true });
 * assert(typeof fetch === "function");
 * fetch.close();
 * ```
 */
export function createFetch(options: CreateFetchOptions = {}): ClosableFetch {
  if (options.tlsVerify === false) {
    // Plain http needs no TLS at all: Deno's own fetch is cheaper per request
    // than the node:https path, which only https without verification needs.
    const insecure = createInsecureFetch(options);
    const plain = createFetch({});
    return Object.assign(
      (request: Request) =>
        request.url.startsWith("http:") ? plain(request) : insecure(request),
      {
        close(): void {
          insecure.close();
          plain.close();
        },
      },
    );
  }
  const { caCerts, cert, key } = options;
  const wantsClient = (caCerts !== undefined && caCerts.length > 0) ||
    cert !== undefined || key !== undefined;
  let client: Deno.HttpClient | undefined = wantsClient
    ? Deno.createHttpClient({
      ...(caCerts ? { caCerts } : {}),
      ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    })
    : undefined;
  async function verifiedFetch(request: Request): Promise<Response> {
    // Without options fetch() copies the request as it is, headers unchecked.
    if (client === undefined && request.redirect === "manual") {
      return await fetch(request);
    }
    const init: RequestInit & { client?: Deno.HttpClient } = {
      redirect: "manual",
    };
    if (client) init.client = client;
    return await fetch(request, init);
  }
  return Object.assign(verifiedFetch, {
    close(): void {
      client?.close();
      client = undefined;
    },
  });
}
