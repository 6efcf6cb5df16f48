/**
 * Reads Docker Hub's `RateLimit-Remaining` on every answer and, once it runs
 * low, warns once and spaces out the requests to that registry instead of
 * burning the rest of the quota. Stacked by the registry client (registry/_transport_stack.ts).
 *
 * @module
 */
import type { Fetch } from "./fetch.ts";
import { abortableSleep } from "./retry.ts";

/** Options of {@linkcode RateLimitPacer}. */
export interface RateLimitOptions {
  /**
   * The quota counts as low when fewer requests than this remain.
   * @default {10}
   */
  threshold?: number;
  /**
   * Least time between the starts of two requests while the quota is low, in ms.
   * @default {1000}
   */
  intervalMs?: number;
  /**
   * Receives the one warning line; no secrets in it.
   * @default {undefined}
   */
  warn?: (line: string) => void;
  /**
   * Clock in ms.
   * @default {performance.now}
   */
  now?: () => number;
  /**
   * Waits `ms`, rejecting with the signal's reason when it is aborted.
   * @default {a setTimeout-based sleep}
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Parses a `RateLimit-Remaining` or `RateLimit-Limit` value such as
 * `76;w=21600`: the count and the window in seconds, when given.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRateLimit } from "./rate_limit.ts";
 * const parsed = parseRateLimit("76;w=21600");
 * assert(parsed?.count === 76 && parsed.windowSeconds === 21600);
 * assert(parseRateLimit("lots") === undefined);
 * ```
 */
export function parseRateLimit(
  value: string | null | undefined,
): { count: number; windowSeconds?: number } | undefined {
  const match = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/i.exec(value ?? "");
  if (!match) return undefined;
  const count = Number(match[1]);
  return match[2] === undefined
    ? { count }
    : { count, windowSeconds: Number(match[2]) };
}

/**
 * Watches the rate limit of one registry and paces its requests while low.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateLimitPacer } from "./rate_limit.ts";
 * const lines: string[] = [];
 * const pacer = new RateLimitPacer("docker.io", { warn: (l) => lines.push(l) });
 * pacer.observe(new Headers({ "ratelimit-remaining": "3;w=21600" }));
 * assert(pacer.low && lines.length === 1);
 * ```
 */
export class RateLimitPacer {
  #registry: string;
  #threshold: number;
  #intervalMs: number;
  #warn: ((line: string) => void) | undefined;
  #now: () => number;
  #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #low = false;
  #warned = false;
  #next = 0;

  constructor(registry: string, options: RateLimitOptions = {}) {
    this.#registry = registry;
    this.#threshold = options.threshold ?? 10;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#warn = options.warn;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /** Whether the last answer said the quota is low. */
  get low(): boolean {
    return this.#low;
  }

  /** Waits for this request's turn while the quota is low; at once otherwise. */
  async ready(signal?: AbortSignal): Promise<void> {
    if (!this.#low) return;
    const now = this.#now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#intervalMs;
    if (at > now) await this.#sleep(at - now, signal);
  }

  /** Reads the rate limit headers of an answer. */
  observe(headers: Headers): void {
    const remaining = parseRateLimit(headers.get("ratelimit-remaining"));
    if (remaining === undefined) return;
    this.#low = remaining.count < this.#threshold;
    if (!this.#low || this.#warned) return;
    this.#warned = true;
    const limit = parseRateLimit(headers.get("ratelimit-limit"));
    const window = remaining.windowSeconds ?? limit?.windowSeconds;
    const of = limit ? ` of ${limit.count}` : "";
    const per = window ? ` per ${window}s` : "";
    this.#warn?.(
      `Registry "${this.#registry}" rate limit is low: ${remaining.count}${of} requests left${per}; ` +
        `slowing down to one request every ${this.#intervalMs / 1000}s`,
    );
  }
}

/**
 * Wraps a fetch so that every attempt waits for its turn and every answer is
 * read by the pacer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateLimitPacer, withRateLimit } from "./rate_limit.ts";
 * const pacer = new RateLimitPacer("reg.io");
 * const fetch = withRateLimit(() => Promise.resolve(new Response("ok")), pacer);
 * assert((await fetch(new Request("https://reg.io/v2/"))).status === 200);
 * ```
 */
export function withRateLimit(fetch: Fetch, pacer: RateLimitPacer): Fetch {
  return async function pacedFetch(request: Request): Promise<Response> {
    if (pacer.low) await pacer.ready(request.signal);
    const response = await fetch(request);
    pacer.observe(response.headers);
    return response;
  };
}
