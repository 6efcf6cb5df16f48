/**
 * A cache of registry bearer tokens, shared by every client of a run.
 *
 * @module
 */

/** What identifies a token. */
export interface TokenKey {
  /** Token endpoint (the challenge's `realm`). */
  realm: string;
  /** The challenge's `service`. */
  service?: string;
  /** Scopes asked for, e.g. `repository:library/nginx:pull`. */
  scopes: string[];
  /** Who asks: "anonymous" or a fingerprint of the credential (never the secret). */
  identity: string;
}

/** A token as a token endpoint gave it. */
export interface FetchedToken {
  /** The bearer token. */
  token: string;
  /** `expires_in` of the answer; 60 s when absent (distribution token spec). */
  expiresInSeconds?: number;
}

/** Options of {@linkcode TokenCache}. */
export interface TokenCacheOptions {
  /**
   * Clock in ms.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Refresh this many seconds before a token expires (at most half its life).
   * @default {30}
   */
  refreshMarginSeconds?: number;
}

interface Entry {
  token: string;
  refreshAt: number;
}

/** Lifetime assumed when the endpoint gives no `expires_in`. */
export const DEFAULT_TOKEN_SECONDS = 60;

/**
 * Caches tokens by realm, service, scopes and credential identity. Concurrent
 * callers for one key share a single fetch; a token is refreshed 30 s before it
 * expires; a failed fetch is not cached.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenCache } from "./token_cache.ts";
 * const cache = new TokenCache();
 * const key = { realm: "https://auth.io/token", scopes: ["repository:a:pull"], identity: "anonymous" };
 * let fetches = 0;
 * const fetchToken = () => Promise.resolve({ token: `t${++fetches}`, expiresInSeconds: 300 });
 * assert((await cache.get(key, fetchToken)) === "t1");
 * assert((await cache.get(key, fetchToken)) === "t1");
 * assert(fetches === 1);
 * ```
 */
export class TokenCache {
  #now: () => number;
  #marginMs: number;
  #tokens = new Map<string, Entry>();
  #pending = new Map<string, Promise<string>>();

  /** An empty cache; `options` set the clock and the refresh margin. */
  constructor(options: TokenCacheOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#marginMs = (options.refreshMarginSeconds ?? 30) * 1000;
  }

  /**
   * Returns the cached token for `key`, or fetches one with `fetchToken`.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { TokenCache } from "./token_cache.ts";
   * const cache = new TokenCache();
   * const key = { realm: "https://auth.io/token", scopes: [], identity: "anonymous" };
   * assert((await cache.get(key, () => Promise.resolve({ token: "x" }))) === "x");
   * ```
   */
  async get(
    key: TokenKey,
    fetchToken: () => Promise<FetchedToken>,
  ): Promise<string> {
    const id = keyString(key);
    const entry = this.#tokens.get(id);
    if (entry !== undefined && this.#now() < entry.refreshAt) {
      return entry.token;
    }
    let pending = this.#pending.get(id);
    if (pending === undefined) {
      pending = this.#fetch(id, fetchToken);
      this.#pending.set(id, pending);
    }
    return await pending;
  }

  /**
   * The fresh token cached for `key`, or undefined (nothing is fetched).
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { TokenCache } from "./token_cache.ts";
   * const cache = new TokenCache();
   * const key = { realm: "https://a", scopes: [], identity: "anonymous" };
   * assert.equal(cache.peek(key), undefined);
   * await cache.get(key, () => Promise.resolve({ token: "x" }));
   * assert.equal(cache.peek(key), "x");
   * ```
   */
  peek(key: TokenKey): string | undefined {
    const entry = this.#tokens.get(keyString(key));
    return entry !== undefined && this.#now() < entry.refreshAt
      ? entry.token
      : undefined;
  }

  /**
   * Tells whether a fresh token for `key` is cached.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { TokenCache } from "./token_cache.ts";
   * const cache = new TokenCache();
   * assert(!cache.has({ realm: "https://a", scopes: [], identity: "anonymous" }));
   * ```
   */
  has(key: TokenKey): boolean {
    return this.peek(key) !== undefined;
  }

  /**
   * Tells whether a fresh token for `key` is cached or being fetched.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { TokenCache } from "./token_cache.ts";
   * const cache = new TokenCache();
   * const key = { realm: "https://a", scopes: [], identity: "anonymous" };
   * const fetching = cache.get(key, () => Promise.resolve({ token: "x" }));
   * assert(cache.known(key));
   * await fetching;
   * assert(cache.known(key));
   * ```
   */
  known(key: TokenKey): boolean {
    return this.has(key) || this.#pending.has(keyString(key));
  }

  /**
   * Forgets the token of `key` (the registry rejected it).
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { TokenCache } from "./token_cache.ts";
   * const cache = new TokenCache();
   * const key = { realm: "https://a", scopes: [], identity: "anonymous" };
   * await cache.get(key, () => Promise.resolve({ token: "x" }));
   * cache.invalidate(key);
   * assert(!cache.has(key));
   * ```
   */
  invalidate(key: TokenKey): void {
    this.#tokens.delete(keyString(key));
  }

  async #fetch(
    id: string,
    fetchToken: () => Promise<FetchedToken>,
  ): Promise<string> {
    try {
      const fetched = await fetchToken();
      const lifeMs =
        Math.max(0, fetched.expiresInSeconds ?? DEFAULT_TOKEN_SECONDS) * 1000;
      const margin = Math.min(this.#marginMs, lifeMs / 2);
      this.#tokens.set(id, {
        token: fetched.token,
        refreshAt: this.#now() + lifeMs - margin,
      });
      return fetched.token;
    } finally {
      this.#pending.delete(id);
    }
  }
}

function keyString(key: TokenKey): string {
  return JSON.stringify([
    key.realm,
    key.service ?? "",
    key.scopes.length < 2 ? key.scopes : [...key.scopes].sort(),
    key.identity,
  ]);
}
