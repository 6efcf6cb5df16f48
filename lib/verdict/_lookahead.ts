/**
 * Reads a list a little ahead of the images being validated, so that the
 * registries can be told which repositories come next (tokens fetched in
 * batches). Reading ahead never delays the item asked for: the read ahead
 * runs in the background, one item at a time, in order. Private helper of
 * validate.ts.
 *
 * @module
 */

/**
 * An iterator that keeps up to `size` items read ahead of its consumer and
 * calls `onRead` for each item as it is read.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lookahead } from "./_lookahead.ts";
 * const seen: number[] = [];
 * const ahead = new Lookahead([1, 2, 3][Symbol.iterator](), 2, (n) => seen.push(n));
 * assert.deepEqual(await ahead.next(), { done: false, value: 1 });
 * assert.deepEqual(await ahead.next(), { done: false, value: 2 });
 * assert.deepEqual(await ahead.next(), { done: false, value: 3 });
 * assert.deepEqual(await ahead.next(), { done: true, value: undefined });
 * assert.deepEqual(seen, [1, 2, 3]);
 * ```
 */
export class Lookahead<T> {
  #iterator: AsyncIterator<T> | Iterator<T>;
  #size: number;
  #onRead: (item: T) => void;
  #buffer: T[] = [];
  #done = false;
  #error: { error: unknown } | undefined;
  #reading: Promise<void> | undefined;

  /** Reads `iterator` up to `size` items ahead. */
  constructor(
    iterator: AsyncIterator<T> | Iterator<T>,
    size: number,
    onRead: (item: T) => void,
  ) {
    this.#iterator = iterator;
    this.#size = size;
    this.#onRead = onRead;
  }

  /** The next item, read now if none was read ahead. */
  async next(): Promise<IteratorResult<T, undefined>> {
    while (this.#buffer.length === 0 && !this.#done) await this.#read();
    if (this.#buffer.length === 0) {
      if (this.#error) throw this.#error.error;
      return { done: true, value: undefined };
    }
    const value = this.#buffer.shift() as T;
    this.#fill();
    return { done: false, value };
  }

  /** Stops reading; the underlying iterator is closed. */
  async return(): Promise<void> {
    this.#done = true;
    await this.#reading?.catch(() => {});
    await this.#iterator.return?.();
  }

  #fill(): void {
    if (this.#done || this.#reading || this.#buffer.length >= this.#size) {
      return;
    }
    this.#read().then(() => this.#fill(), () => {});
  }

  #read(): Promise<void> {
    this.#reading ??= (async () => {
      try {
        const next = await this.#iterator.next();
        if (next.done) this.#done = true;
        else {
          this.#buffer.push(next.value);
          try {
            this.#onRead(next.value);
          } catch {
            // a hint only
          }
        }
      } catch (error) {
        this.#done = true;
        this.#error = { error };
      } finally {
        this.#reading = undefined;
      }
    })();
    return this.#reading;
  }
}
