/**
 * The retry policy, pure: which outcomes are retried, and after how long
 * (exponential backoff with jitter, honouring `Retry-After`).
 *
 * @module
 */
import { classifyNetError } from "./net_errors.ts";

/** What the last attempt ended with. */
export interface RetryOutcome {
  /** HTTP status, when a response came back. */
  status?: number;
  /** The error, when the attempt threw. */
  error?: unknown;
  /** The `Retry-After` header of the response. */
  retryAfter?: string | null;
}

/** Options of {@linkcode retryDelay}. */
export interface RetryPolicyOptions {
  /**
   * Delay before the second attempt, doubled for each further one.
   * @default {500}
   */
  baseMs?: number;
  /**
   * Longest delay, also the cap on `Retry-After`.
   * @default {30000}
   */
  maxMs?: number;
  /**
   * Attempts in all, the first included.
   * @default {4}
   */
  maxAttempts?: number;
  /**
   * Random source in [0, 1) for the jitter.
   * @default {Math.random}
   */
  random?: () => number;
  /**
   * Clock in ms, for `Retry-After` dates.
   * @default {Date.now}
   */
  now?: () => number;
}

/**
 * Decides whether (and after how many ms) to retry after attempt number
 * `attempt` (1 = the first) ended with `outcome`; `undefined` means do not retry.
 * Retries 408, 429, 5xx except 501, connection resets and timeouts, with
 * exponential backoff and jitter (half to full delay), honouring `Retry-After`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryDelay } from "./retry_policy.ts";
 * assert(retryDelay(1, { status: 503 }, { random: () => 0 }) === 250);
 * assert(retryDelay(1, { status: 404 }) === undefined);
 * assert(retryDelay(1, { status: 429, retryAfter: "3" }) === 3000);
 * assert(retryDelay(4, { status: 503 }) === undefined);
 * ```
 */
export function retryDelay(
  attempt: number,
  outcome: RetryOutcome,
  options: RetryPolicyOptions = {},
): number | undefined {
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 4;
  if (attempt >= maxAttempts || !isRetryable(outcome)) return undefined;
  const after = parseRetryAfter(outcome.retryAfter, options.now ?? Date.now);
  if (after !== undefined) return Math.min(after, maxMs);
  const full = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  const random = options.random ?? Math.random;
  return Math.round(full / 2 + (full / 2) * random());
}

function isRetryable(outcome: RetryOutcome): boolean {
  if (outcome.status !== undefined) {
    const status = outcome.status;
    return status === 408 || status === 429 ||
      (status >= 500 && status <= 599 && status !== 501);
  }
  if (outcome.error === undefined) return false;
  const failure = classifyNetError(outcome.error);
  return failure === "reset" || failure === "timeout" || failure === "other";
}

function parseRetryAfter(
  value: string | null | undefined,
  now: () => number,
): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now());
}
