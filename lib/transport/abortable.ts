/**
 * Waiting on something shared without being bound to it: the transport
 * (a host's TLS sniff), auth (the first answer of a host) and registry layers
 * use it.
 *
 * @module
 */

/**
 * Waits for `promise` but gives up when `signal` aborts (the promise itself
 * goes on, for other waiters).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortable } from "./abortable.ts";
 * assert((await abortable(Promise.resolve(1), new AbortController().signal)) === 1);
 * ```
 */
export async function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  signal.throwIfAborted();
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
