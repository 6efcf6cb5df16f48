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

/**
 * The stream as UTF-8: a UTF-8 BOM is dropped, a UTF-16 list (BOM `FF FE` or
 * `FE FF`) is decoded and re-encoded. `bom` tells whether a BOM was seen.
 */
async function* _utf8Chunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  bom: { seen: boolean },
): AsyncGenerator<Uint8Array> {
  // Enough of the start to see a BOM, whatever the chunk sizes.
  let head: Uint8Array = new Uint8Array(0);
  while (head.length < 3) {
    const chunk = await reader.read();
    if (chunk.done) break;
    head = _concat([head, chunk.value], head.length + chunk.value.length);
  }
  const label = head[0] === 0xff && head[1] === 0xfe
    ? "utf-16le"
    : head[0] === 0xfe && head[1] === 0xff
    ? "utf-16be"
    : undefined;
  if (label === undefined) {
    const utf8Bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    bom.seen = utf8Bom;
    if (head.length > 0) yield utf8Bom ? head.subarray(3) : head;
    while (true) {
      const chunk = await reader.read();
      if (chunk.done) return;
      yield chunk.value;
    }
  }
  bom.seen = true;
  // Lone surrogates become U+FFFD: such a line is then not a valid reference.
  const decoder = new TextDecoder(label);
  const encoder = new TextEncoder();
  yield encoder.encode(decoder.decode(head, { stream: true }));
  while (true) {
    const chunk = await reader.read();
    if (chunk.done) break;
    yield encoder.encode(decoder.decode(chunk.value, { stream: true }));
  }
  yield encoder.encode(decoder.decode());
}

/**
 * Shows a line that is not valid UTF-8: its valid characters as they are,
 * each invalid byte as `\xNN`.
 */
function _escapeInvalid(bytes: Uint8Array): string {
  const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let text = "";
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const size = lead < 0x80
      ? 1
      : lead >= 0xc2 && lead <= 0xdf
      ? 2
      : lead >= 0xe0 && lead <= 0xef
      ? 3
      : lead >= 0xf0 && lead <= 0xf4
      ? 4
      : 0;
    if (size > 0 && i + size <= bytes.length) {
      try {
        text += strict.decode(bytes.subarray(i, i + size));
        i += size;
        continue;
      } catch {
        // not a whole character: escape the lead byte and go on
      }
    }
    text += `\\x${lead.toString(16).padStart(2, "0")}`;
    i++;
  }
  return text;
}

/**
 * Splits a stream into lines: `\n` or `\r\n` breaks, a UTF-8 BOM stripped,
 * a UTF-16 list (BOM `FF FE` or `FE FF`) decoded, the last line yielded
 * without a break. At most `maxLineBytes` (plus a line break) of a line are
 * held: a longer line yields an error and the rest of it is skipped. A line
 * that is not valid UTF-8 yields an error, its text showing each invalid
 * byte as `\xNN`.
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
    if (preview !== undefined || bytes.length > max) {
      const text = new TextDecoder().decode(bytes.subarray(0, PREVIEW_BYTES));
      yield { line, text, error: `line is longer than ${max} bytes` };
    } else {
      try {
        yield { line, text: decoder.decode(bytes) };
      } catch {
        const text = _escapeInvalid(bytes.subarray(0, PREVIEW_BYTES));
        yield { line, text, error: "line is not valid UTF-8" };
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
    if (length + segment.length > max + 1) {
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
  const bom = { seen: false };
  let done = false;
  try {
    for await (const chunk of _utf8Chunks(reader, bom)) {
      // A list that is only a BOM still has one (empty) line.
      if (bom.seen && line === 1) pending = true;
      let start = 0;
      let newline = chunk.indexOf(NEWLINE, start);
      while (newline >= 0) {
        add(chunk.subarray(start, newline));
        yield* finish();
        start = newline + 1;
        newline = chunk.indexOf(NEWLINE, start);
      }
      add(chunk.subarray(start));
    }
    done = true;
    if (pending) yield* finish();
  } finally {
    if (done) reader.releaseLock();
    else await reader.cancel().catch(() => {});
  }
}
