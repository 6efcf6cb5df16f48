/**
 * Builds the registry clients of a run: one per registry and side, sharing one
 * token cache, with credentials looked up where container tools keep them.
 *
 * @module
 */

import type { FindCertificatesOptions } from "../transport/certs.ts";
import { createRegistryFetch } from "../transport/registry_fetch.ts";
import type { ClosableFetch, Fetch } from "../transport/fetch.ts";
import {
  type CredentialSources,
  findCredential,
  loginHint,
} from "../auth/credentials.ts";
import { RegistryClient } from "./client.ts";
import { TokenCache } from "../auth/token_cache.ts";
import type { ProxyEnv } from "../transport/proxy.ts";

/** Which side of the mirror a registry is on (the engine's `Side`). */
export type Side = "source" | "destination";

/**
 * Gives the client for a registry on one side: the engine's `ClientFactory`,
 * met structurally so that this layer never imports the engine.
 */
export type RegistryClientFactory = (
  registry: string,
  side: Side,
) => RegistryClient;

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
  /**
   * One directory of certificates (`*.crt` CAs, `*.cert` + `*.key` client
   * pair) used for every registry instead of the certs.d directories.
   * @default {undefined}
   */
  certDir?: string;
  /**
   * Where per-registry certificates are looked up (`dirs`, and the file
   * access tests replace); ignored when `fetch` is given.
   * @default {/etc/containers/certs.d and /etc/docker/certs.d}
   */
  certificates?: Omit<FindCertificatesOptions, "certDir">;
  /**
   * Receives warnings (an unreadable auth file), each distinct line once.
   * @default {credentials.warn, else ignore}
   */
  warn?: (line: string) => void;
  /**
   * Environment each request's proxy is chosen from: `HTTPS_PROXY`,
   * `HTTP_PROXY`, `NO_PROXY` and their lower-case forms (the CLI passes its
   * `io.env`); ignored when `fetch` is given.
   * @default {the process's proxy variables}
   */
  proxyEnv?: ProxyEnv;
}

/** A {@linkcode RegistryClientFactory} that can release its HTTP clients. */
export type ClosableClientFactory = RegistryClientFactory & {
  /** Closes every client made so far; safe to call twice. */
  close(): void;
};

/**
 * Returns a {@linkcode RegistryClientFactory} that creates each client once. Each
 * client trusts the CAs and sends the client certificate found for its
 * registry (see {@linkcode createRegistryFetch}).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClientFactory } from "./clients.ts";
 * const clients = createClientFactory({ tlsVerify: false });
 * assert(clients("127.0.0.1:5000", "source") === clients("127.0.0.1:5000", "source"));
 * clients.close();
 * ```
 */
export function createClientFactory(
  options: ClientFactoryOptions = {},
): ClosableClientFactory {
  const tokenCache = new TokenCache();
  const clients = new Map<string, RegistryClient>();
  const fetches: ClosableFetch[] = [];
  const warned = new Set<string>();
  const sink = options.warn ?? options.credentials?.warn;
  const credentials: CredentialSources = {
    ...options.credentials,
    warn: (line) => {
      if (warned.has(line)) return;
      warned.add(line);
      sink?.(line);
    },
  };
  const factory = (registry: string, side: Side) => {
    const key = `${side} ${registry}`;
    let client = clients.get(key);
    if (client === undefined) {
      const tlsVerify = options.tlsVerifyBySide?.[side] ?? options.tlsVerify ??
        true;
      let fetch = options.fetch;
      if (fetch === undefined) {
        const made = createRegistryFetch(registry, {
          ...options.certificates,
          ...(options.certDir !== undefined
            ? { certDir: options.certDir }
            : {}),
          tlsVerify,
          ...(options.proxyEnv ? { proxyEnv: options.proxyEnv } : {}),
          ...(options.debug ? { debug: options.debug } : {}),
        });
        fetches.push(made);
        fetch = made;
      }
      let credential: ReturnType<typeof findCredential> | undefined;
      client = new RegistryClient(registry, {
        fetch,
        tlsVerify,
        tokenCache,
        authHint: loginHint(registry, side),
        credential: () => (credential ??= findCredential(
          registry,
          side,
          credentials,
        )),
        ...(options.debug ? { debug: options.debug } : {}),
        warn: (line) => credentials.warn?.(line),
        ...(options.requestTimeoutMs
          ? { requestTimeoutMs: options.requestTimeoutMs }
          : {}),
        ...(options.retry ? { retry: options.retry } : {}),
      });
      clients.set(key, client);
    }
    return client;
  };
  return Object.assign(factory, {
    close(): void {
      for (const client of clients.values()) client.close();
      for (const fetch of fetches.splice(0)) fetch.close();
    },
  });
}
