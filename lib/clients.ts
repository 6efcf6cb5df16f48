/**
 * Builds the registry clients of a run: one per registry and side, sharing one
 * token cache, with credentials looked up where container tools keep them.
 *
 * @module
 */

import { type CredentialSources, findCredential } from "./credentials.ts";
import type { Fetch } from "./fetch.ts";
import { loginHint } from "./auth.ts";
import { RegistryClient } from "./registry_client.ts";
import { TokenCache } from "./token_cache.ts";
import type { ClientFactory, Side } from "./validate.ts";

/** Options of {@linkcode createClientFactory}. */
export interface ClientFactoryOptions {
  /**
   * Verify TLS certificates; when false, https without verification, then http.
   *
   * @default {true}
   */
  tlsVerify?: boolean;
  /** Per-side TLS verification, overriding `tlsVerify`. */
  tlsVerifyBySide?: Partial<Record<Side, boolean>>;
  /** The base fetch (tests pass a fake registry here). */
  fetch?: Fetch;
  /** Where credentials come from (environment, files, helpers). */
  credentials?: CredentialSources;
  /** Debug log, without secrets. */
  debug?: (line: string) => void;
  /** Per-request timeout in ms. */
  requestTimeoutMs?: number;
  /** Retry settings of every client. */
  retry?: { maxAttempts?: number; baseMs?: number };
}

/**
 * Returns a {@linkcode ClientFactory} that creates each client once.
 *
 * @example Usage
 * ```ts
 * import { createClientFactory } from "./clients.ts";
 * const clients = createClientFactory({ tlsVerify: false });
 * console.assert(clients("127.0.0.1:5000", "source") === clients("127.0.0.1:5000", "source"));
 * ```
 */
export function createClientFactory(
  options: ClientFactoryOptions = {},
): ClientFactory {
  const tokenCache = new TokenCache();
  const clients = new Map<string, RegistryClient>();
  return (registry: string, side: Side) => {
    const key = `${side} ${registry}`;
    let client = clients.get(key);
    if (client === undefined) {
      const tlsVerify = options.tlsVerifyBySide?.[side] ?? options.tlsVerify ??
        true;
      let credential: ReturnType<typeof findCredential> | undefined;
      client = new RegistryClient(registry, {
        ...(options.fetch ? { fetch: options.fetch } : {}),
        tlsVerify,
        tokenCache,
        authHint: loginHint(registry, side),
        credential: () => (credential ??= findCredential(
          registry,
          side,
          options.credentials,
        )),
        ...(options.debug ? { debug: options.debug } : {}),
        ...(options.requestTimeoutMs
          ? { requestTimeoutMs: options.requestTimeoutMs }
          : {}),
        ...(options.retry ? { retry: options.retry } : {}),
      });
      clients.set(key, client);
    }
    return client;
  };
}
