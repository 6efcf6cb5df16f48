/**
 * The registry layer's entry point: a client for one registry over native
 * `fetch` (or `node:https` where Deno's fetch cannot do the TLS asked for),
 * with scheme fallback, retries, rate-limit pacing and token or basic auth
 * stacked beneath it; the factory that builds a run's clients; login and
 * logout. It implements the engine's `ManifestSource` without importing it.
 *
 * @example Build the clients of a run
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClientFactory, RegistryClient } from "./registry.ts";
 * const clients = createClientFactory({ tlsVerify: false });
 * assert(clients("127.0.0.1:5000", "destination") instanceof RegistryClient);
 * clients.close();
 * ```
 *
 * @module
 */

export {
  type FetchedManifest,
  type GetBlobOptions,
  type ReferrerDescriptor,
  type Referrers,
  RegistryClient,
  type RegistryClientOptions,
  type ResolvedManifest,
} from "./registry/client.ts";
export {
  type ClientFactoryOptions,
  type ClosableClientFactory,
  createClientFactory,
  type RegistryClientFactory,
  type Side,
} from "./registry/clients.ts";
export {
  type AuthFileOptions,
  login,
  loginAuthFile,
  type LoginOptions,
  logout,
} from "./registry/login.ts";
export {
  type ClosableFetch,
  createFetch,
  type CreateFetchOptions,
  type Fetch,
} from "./transport/fetch.ts";
export {
  DEFAULT_CERT_DIRS,
  findCertificates,
  type FindCertificatesOptions,
  type RegistryCertificates,
} from "./transport/certs.ts";
export type { ProxyEnv } from "./transport/proxy.ts";
export type { RateLimitOptions } from "./transport/rate_limit.ts";
export {
  createRegistryFetch,
  type RegistryFetchOptions,
} from "./transport/registry_fetch.ts";
export {
  type Credential,
  type CredentialSources,
  findCredential,
} from "./auth/credentials.ts";
export {
  DEFAULT_TOKEN_SECONDS,
  type FetchedToken,
  TokenCache,
  type TokenCacheOptions,
  type TokenKey,
} from "./auth/token_cache.ts";
