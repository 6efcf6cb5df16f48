/**
 * Tiny, byte-for-byte deterministic tar and gzip writers for test layers.
 *
 * The gzip stream uses stored (uncompressed) deflate blocks, a zero mtime and
 * a fixed OS byte, so the same input always gives the same digest, whatever
 * the zlib on the machine.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Builds a ustar archive holding one regular file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tarFile } from "./_tar_gzip.ts";
 * const tar = tarFile("a.txt", new TextEncoder().encode("hi"));
 * assert(tar.length === 512 + 512 + 1024);
 * ```
 */
export function tarFile(
  name: string,
  content: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const header = new Uint8Array(512);
  const put = (offset: number, text: string) =>
    header.set(encoder.encode(text), offset);
  put(0, name.slice(0, 99));
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, `${content.length.toString(8).padStart(11, "0")}\0`);
  put(136, "00000000000\0");
  put(148, "        ");
  put(156, "0");
  put(257, "ustar\0");
  put(263, "00");
  let sum = 0;
  for (const byte of header) sum += byte;
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  const padded = Math.ceil(content.length / 512) * 512;
  const out = new Uint8Array(512 + padded + 1024);
  out.set(header, 0);
  out.set(content, 512);
  return out;
}

/**
 * Wraps `data` in a gzip stream made of stored deflate blocks.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { gzipStored } from "./_tar_gzip.ts";
 * const gz = gzipStored(new TextEncoder().encode("hello"));
 * const text = await new Response(
 *   new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip")),
 * ).text();
 * assert(text === "hello");
 * ```
 */
export function gzipStored(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(10 + blocks * 5 + data.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff], 0);
  const view = new DataView(out.buffer);
  let at = 10;
  for (let i = 0; i < blocks; i++) {
    const chunk = data.subarray(i * 65535, (i + 1) * 65535);
    out[at] = i === blocks - 1 ? 1 : 0;
    view.setUint16(at + 1, chunk.length, true);
    view.setUint16(at + 3, chunk.length ^ 0xffff, true);
    out.set(chunk, at + 5);
    at += 5 + chunk.length;
  }
  view.setUint32(at, crc32(data), true);
  view.setUint32(at + 4, data.length >>> 0, true);
  return out;
}

let table: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
