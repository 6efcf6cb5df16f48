/**
 * Token prefetch for one registry: the pull scopes of repositories a run
 * will read soon are gathered and asked for in batches once the registry's
 * Bearer challenge is known; each scope's token goes into the shared cache
 * under its own key, so that a request for it finds it ready (or in
 * flight). Private helper of auth.ts.
 *
 * @module
 */

import type { Credential } from "./credentials.ts";
import type { TokenCache, TokenKey } from "./token_cache.ts";
import type { FetchedToken } from "./token_cache.ts";
import { grantedScopes, MAX_BATCH_SCOPES, takeBatch } from "./scope_batch.ts";
import { pullScope } from "./support.ts";

/** Scopes waiting for the registry's challenge; the oldest are dropped. */
const MAX_WANTED = 200;

/** What {@linkcode TokenPrefetch} needs from the auth layer. */
export interface PrefetchContext {
  /** The token cache shared by the clients. */
  cache: TokenCache;
  /** The registry's Bearer realm and service, once a challenge told them. */
  bearer: () => { realm: string; service?: string } | undefined;
  /** Whether the registry is known not to use tokens (Basic). */
  noTokens: () => boolean;
  /** Who asks. */
  who: () => Promise<{ credential?: Credential; id: string }>;
  /** Asks the token endpoint for `scopes`. */
  request: (scopes: string[]) => Promise<FetchedToken>;
  /** Debug log. */
  debug: (line: string) => void;
}

/**
 * Gathers wanted scopes and fetches them in batches.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenPrefetch } from "./_prefetch.ts";
 * import { TokenCache } from "./token_cache.ts";
 * const asked: string[][] = [];
 * const prefetch = new TokenPrefetch({
 *   cache: new TokenCache(),
 *   bearer: () => ({ realm: "https://auth.io/token" }),
 *   noTokens: () => false,
 *   who: () => Promise.resolve({ id: "anonymous" }),
 *   request: (scopes) => (asked.push(scopes), Promise.resolve({ token: "opaque" })),
 *   debug: () => {},
 * });
 * prefetch.want(["a", "b"]);
 * await prefetch.demand("repository:a:pull");
 * assert.deepEqual(asked[0], ["repository:a:pull", "repository:b:pull"]);
 * ```
 */
export class TokenPrefetch {
  #context: PrefetchContext;
  #wanted = new Set<string>();
  #scheduled = false;
  #opaque = false;

  /** Makes a prefetch for one registry. */
  constructor(context: PrefetchContext) {
    this.#context = context;
  }

  /** Notes repositories the run will read soon; fetches when it can. */
  want(repositories: Iterable<string>): void {
    if (this.#context.noTokens() || this.#opaque) return;
    for (const repository of repositories) {
      this.#wanted.add(pullScope(repository));
    }
    while (this.#wanted.size > MAX_WANTED) {
      this.#wanted.delete(this.#wanted.values().next().value!);
    }
    // A full batch goes at once; fewer wait for more, or for a request that
    // needs one of them (see demand()).
    if (this.#wanted.size >= MAX_BATCH_SCOPES) this.schedule();
  }

  /**
   * Called before a request asks for `repository`'s token: when it is among
   * the wanted scopes, they are all asked for now, the request's with them.
   * Resolves once the batch is registered in the cache (not when the token
   * arrives), so that the request waits for the batch's answer.
   */
  async demand(scope: string): Promise<void> {
    if (!this.#wanted.has(scope)) return;
    await this.flush();
  }

  /** Fetches the wanted scopes soon, when the registry's realm is known. */
  schedule(): void {
    if (this.#scheduled || this.#wanted.size === 0) return;
    if (this.#context.bearer() === undefined) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.flush().catch(() => {});
    });
  }

  /**
   * Asks for every wanted scope not yet cached, in batches; resolves once
   * the batches are registered in the cache.
   */
  async flush(): Promise<void> {
    const context = this.#context;
    const bearer = context.bearer();
    if (bearer === undefined) return;
    const { credential, id } = await context.who();
    // An identity token's refresh grant takes one scope a request.
    if (credential !== undefined && "identityToken" in credential) {
      this.#wanted.clear();
      return;
    }
    const keyOf = (scope: string): TokenKey => ({
      realm: bearer.realm,
      ...(bearer.service !== undefined ? { service: bearer.service } : {}),
      scopes: [scope],
      identity: id,
    });
    for (const scope of this.#wanted) {
      if (context.cache.known(keyOf(scope))) this.#wanted.delete(scope);
    }
    const base = `${bearer.realm}?service=${bearer.service ?? ""}`;
    while (this.#wanted.size > 0) {
      const batch = takeBatch(this.#wanted, base);
      const shared = context.request(batch);
      // The token's grants, read once for the whole batch.
      const granted = shared.then(
        (token) => {
          const scopes = grantedScopes(token.token);
          // Tokens that do not say what they grant are not batched again.
          if (scopes === undefined) this.#opaque = true;
          context.debug(
            `auth: one token for ${batch.length} scopes from ${bearer.realm}, ${
              scopes?.size ?? 0
            } granted`,
          );
          return scopes;
        },
        () => undefined,
      );
      for (const scope of batch) {
        // The batch's token where it grants the scope; otherwise the
        // scope's own request, as without batching.
        context.cache.get(keyOf(scope), async () => {
          // a batch that failed grants nothing
          if ((await granted)?.has(scope)) return await shared;
          return await context.request([scope]);
        }).catch(() => {});
      }
    }
  }
}
