/**
 * Private helper of image_list.ts: splitting a byte stream into lines with
 * bounded memory.
 *
 * @module
 */

/** One line read by {@linkcode readListLines}. */
export interface ListLine {
  /** 1-based line number. */
  line: number;
  /** The decoded line; for an over-long line, its beginning. */
  text?: string;
  /** Why the line could not be read. */
  error?: string;
}

/** Options of {@linkcode readListLines}. */
export interface ReadListLinesOptions {
  /**
   * Longest line kept, in bytes, without its line break.
   *
   * @default {65536}
   */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const PREVIEW_BYTES = 800;

function _concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

function _hasBom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Splits a stream into lines: `\n` or `\r\n` breaks, a UTF-8 BOM stripped,
 * the last line yielded without a break. At most `maxLineBytes` (plus a
 * line break and BOM) of a line are held: a longer line yields an error and the rest of it is
 * skipped. Lines that are not valid UTF-8 yield an error.
 *
 * @example Usage
 * ```ts
 * import { readListLines } from "./image_list.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * const body = new TextEncoder().encode("\uFEFFa\r\nb");
 * const lines = [];
 * for await (const line of readListLines(ReadableStream.from([body]))) {
 *   lines.push(line);
 * }
 * deepStrictEqual(lines, [{ line: 1, text: "a" }, { line: 2, text: "b" }]);
 * ```
 *
 * @param stream The bytes to read.
 * @param options The line length limit.
 * @returns The lines, in order.
 */
export async function* readListLines(
  stream: ReadableStream<Uint8Array>,
  options: ReadListLinesOptions = {},
): AsyncGenerator<ListLine> {
  const max = options.maxLineBytes ?? 65536;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let parts: Uint8Array[] = [];
  let length = 0;
  let preview: Uint8Array | undefined;
  let line = 1;
  let pending = false;

  function* finish(): Generator<ListLine> {
    let bytes = preview ?? _concat(parts, length);
    if (bytes.at(-1) === CR) bytes = bytes.subarray(0, -1);
    if (line === 1 && _hasBom(bytes)) bytes = bytes.subarray(3);
    if (preview !== undefined || bytes.length > max) {
      const text = new TextDecoder().decode(bytes.subarray(0, PREVIEW_BYTES));
      yield { line, text, error: `line is longer than ${max} bytes` };
    } else {
      try {
        yield { line, text: decoder.decode(bytes) };
      } catch {
        yield { line, error: "line is not valid UTF-8" };
      }
    }
    parts = [];
    length = 0;
    preview = undefined;
    pending = false;
    line++;
  }

  function add(segment: Uint8Array): void {
    if (segment.length === 0) return;
    pending = true;
    if (preview !== undefined) return;
    if (length + segment.length > max + (line === 1 ? 4 : 1)) {
      preview = _concat([...parts, segment], length + segment.length)
        .slice(0, PREVIEW_BYTES);
      parts = [];
      length = 0;
      return;
    }
    parts.push(segment.slice());
    length += segment.length;
  }

  const reader = stream.getReader();
  let done = false;
  try {
    while (true) {
      const chunk = await reader.read();
      if (chunk.done) break;
      let start = 0;
      let newline = chunk.value.indexOf(NEWLINE, start);
      while (newline >= 0) {
        add(chunk.value.subarray(start, newline));
        yield* finish();
        start = newline + 1;
        newline = chunk.value.indexOf(NEWLINE, start);
      }
      add(chunk.value.subarray(start));
    }
    done = true;
    if (pending) yield* finish();
  } finally {
    if (done) reader.releaseLock();
    else await reader.cancel().catch(() => {});
  }
}
