/**
 * The options of a registry client (client.ts re-exports them).
 *
 * @module
 */
import type { Credential } from "../auth/credentials.ts";
import type { Fetch } from "../transport/fetch.ts";
import type { TokenCache } from "../auth/token_cache.ts";
import type { RateLimitOptions } from "../transport/rate_limit.ts";

/** Options of `RegistryClient`. */
export interface RegistryClientOptions {
  /** Base fetch (tests pass a fake registry). @default {createFetch({ tlsVerify })} */
  fetch?: Fetch;
  /** Verify TLS; false = https without verification, then plain http. @default {true} */
  tlsVerify?: boolean;
  /** The registry's credential; anonymous when it gives undefined. @default {anonymous} */
  credential?: () => Promise<Credential | undefined>;
  /** Token cache shared between clients. @default {a new TokenCache} */
  tokenCache?: TokenCache;
  /** `User-Agent` header. @default {"hangar-mirror-validate/0.1.0"} */
  userAgent?: string;
  /** Limit for reading one body once its headers arrived, in ms (and for an attempt to answer, when shorter than `connectTimeoutMs`'s default). @default {60000} */
  requestTimeoutMs?: number;
  /** Limit for one attempt to connect and get its answer's headers, in ms. @default {15000, or requestTimeoutMs when shorter} */
  connectTimeoutMs?: number;
  /** Attempts in a row without an answer after which a host counts as stopped: its further requests fail at once (one try again a minute later). @default {3} */
  stopAfterTimeouts?: number;
  /** Retry settings (see retry_policy.ts and retry.ts); `sleep` also paces reads retried after a reset. @default {{ maxAttempts: 4, baseMs: 500 }} */
  retry?: {
    maxAttempts?: number;
    baseMs?: number;
    maxMs?: number;
    random?: () => number;
    now?: () => number;
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  };
  /** Pacing once `RateLimit-Remaining` runs low (see transport/rate_limit.ts). @default {{ threshold: 10, intervalMs: 1000 }} */
  rateLimit?: Omit<RateLimitOptions, "warn">;
  /** Receives warnings (the rate limit running low), once each. @default {undefined} */
  warn?: (line: string) => void;
  /** Debug log: one line per HTTP request, no secrets. @default {undefined} */
  debug?: (line: string) => void;
  /** Advice added to "unauthorized" errors when there is no credential. @default {`log in with "hangar login <registry>"`} */
  authHint?: string;
}

/** Options of `RegistryClient.getBlob`. */
export interface GetBlobOptions {
  /** Largest blob accepted. @default {4194304} */
  maxBytes?: number;
  /** Aborts the request. @default {undefined} */
  signal?: AbortSignal;
}
