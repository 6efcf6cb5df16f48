/**
 * The failed lines of a run, kept compactly until the failed file is written:
 * their text as UTF-8 in one growing buffer and their line numbers in typed
 * arrays, so that 100,000 failed lines cost about their bytes, not 100,000
 * objects on the JavaScript heap. Used by the run (run.ts, failed_file.ts).
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One failed line: its 1-based number in the list and its text. */
export interface FailedLine {
  line: number;
  text: string;
}

/**
 * Failed lines added in any order, read back in input (line number) order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { FailedLines } from "./failed_lines.ts";
 * const failed = new FailedLines();
 * failed.push({ line: 7, text: "b" });
 * failed.push({ line: 3, text: "a é" });
 * assert.equal(failed.length, 2);
 * assert.deepEqual([...failed], [{ line: 3, text: "a é" }, { line: 7, text: "b" }]);
 * ```
 */
export class FailedLines implements Iterable<FailedLine> {
  #bytes: Uint8Array = new Uint8Array(16 * 1024);
  #used = 0;
  #lines: Float64Array = new Float64Array(256);
  #starts: Float64Array = new Float64Array(256);
  #count = 0;

  /** How many lines were added. */
  get length(): number {
    return this.#count;
  }

  /** Adds a line (its text is copied as UTF-8). */
  push(entry: FailedLine): void {
    const text = encoder.encode(entry.text);
    if (this.#used + text.length > this.#bytes.length) {
      this.#bytes = grown(
        this.#bytes,
        Math.max(this.#bytes.length * 2, this.#used + text.length),
        this.#used,
      );
    }
    this.#bytes.set(text, this.#used);
    if (this.#count === this.#lines.length) {
      this.#lines = grownFloats(this.#lines);
      this.#starts = grownFloats(this.#starts);
    }
    this.#lines[this.#count] = entry.line;
    this.#starts[this.#count] = this.#used;
    this.#used += text.length;
    this.#count++;
  }

  /** The lines in input order (by line number; equal numbers as added). */
  *[Symbol.iterator](): Iterator<FailedLine> {
    const count = this.#count;
    const lines = this.#lines;
    const order = new Uint32Array(count);
    let sorted = true;
    for (let i = 0; i < count; i++) {
      order[i] = i;
      if (i > 0 && lines[i]! < lines[i - 1]!) sorted = false;
    }
    if (!sorted) order.sort((a, b) => lines[a]! - lines[b]! || a - b);
    for (const i of order) {
      const start = this.#starts[i]!;
      const end = i + 1 < count ? this.#starts[i + 1]! : this.#used;
      yield {
        line: lines[i]!,
        text: decoder.decode(this.#bytes.subarray(start, end)),
      };
    }
  }
}

function grown(bytes: Uint8Array, size: number, used: number): Uint8Array {
  const next = new Uint8Array(size);
  next.set(bytes.subarray(0, used));
  return next;
}

function grownFloats(values: Float64Array): Float64Array {
  const next = new Float64Array(values.length * 2);
  next.set(values);
  return next;
}
