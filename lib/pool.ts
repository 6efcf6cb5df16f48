/**
 * A streaming worker pool: maps an async iterable with bounded concurrency and
 * yields results as they finish, not in input order, pulling input only when a
 * worker is free (so a 100,000-line list never sits in memory).
 *
 * @module
 */

/** Options of {@linkcode mapUnordered}. */
export interface MapUnorderedOptions {
  /**
   * How many items are mapped at once.
   *
   * @default {1}
   */
  concurrency?: number;
  /**
   * When aborted, no further input is pulled; in-flight items still finish.
   */
  signal?: AbortSignal;
}

/**
 * Maps `input` with at most `concurrency` calls of `mapper` at once, yielding
 * each result when it is ready.
 *
 * @example Usage
 * ```ts
 * import { mapUnordered } from "./pool.ts";
 * const out: number[] = [];
 * for await (const n of mapUnordered([1, 2, 3], (x) => Promise.resolve(x * 2), { concurrency: 2 })) {
 *   out.push(n);
 * }
 * console.assert(out.sort().join() === "2,4,6");
 * ```
 */
export async function* mapUnordered<T, R>(
  input: AsyncIterable<T> | Iterable<T>,
  mapper: (item: T) => Promise<R>,
  options: MapUnorderedOptions = {},
): AsyncGenerator<R> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const iterator = Symbol.asyncIterator in input
    ? (input as AsyncIterable<T>)[Symbol.asyncIterator]()
    : toAsync((input as Iterable<T>)[Symbol.iterator]());
  const running = new Map<number, Promise<{ id: number; result: R }>>();
  let nextId = 0;
  let exhausted = false;

  const fill = async () => {
    while (
      !exhausted && running.size < concurrency && !options.signal?.aborted
    ) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const id = nextId++;
      running.set(id, mapper(next.value).then((result) => ({ id, result })));
    }
  };

  try {
    await fill();
    while (running.size > 0) {
      const { id, result } = await Promise.race(running.values());
      running.delete(id);
      yield result;
      await fill();
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return {
    next: () => Promise.resolve(iterator.next()),
    return: () =>
      Promise.resolve(iterator.return?.() ?? { done: true, value: undefined }),
  };
}
