/**
 * How many lines of a list file have content, counted before a run so that
 * a progress line can show done/total. Only a regular file is counted (a
 * pipe can be read once); the count is of lines that are not blank or
 * comments, the lines a run reports on.
 *
 * @module
 */

/** Lists larger than this are not counted up front (the count would cost). */
const COUNT_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * The lines with content of the list at `path`, or undefined when it is not
 * a regular file (standard input, a FIFO) or too large to count first.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { countListLines } from "./list_count.ts";
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, "# mirrored\nnginx\n\n// x\nredis  # note\n");
 * assert.equal(await countListLines(file), 2);
 * assert.equal(await countListLines("-"), undefined);
 * // UTF-16 with its BOM, as the list reader decodes it
 * const utf16 = new Uint8Array([0xff, 0xfe, ...new Uint8Array(
 *   Uint16Array.from("nginx\r\n# x\r\nredis\r\n", (c) => c.charCodeAt(0)).buffer,
 * )]);
 * await Deno.writeFile(file, utf16);
 * assert.equal(await countListLines(file), 2);
 * await Deno.remove(file);
 * ```
 */
export async function countListLines(
  path: string,
): Promise<number | undefined> {
  if (path === "-") return undefined;
  try {
    const info = await Deno.stat(path);
    if (!info.isFile || info.size > COUNT_LIMIT_BYTES) return undefined;
    const bytes = await Deno.readFile(path);
    const utf16 = utf16Encoding(bytes);
    if (utf16 !== undefined) {
      return new TextDecoder(utf16).decode(bytes).split("\n")
        .filter((line) => hasContent(line.trim())).length;
    }
    let count = 0;
    let start = 0;
    const decoder = new TextDecoder();
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      const line = decoder.decode(bytes.subarray(start, i)).trim();
      start = i + 1;
      if (hasContent(line)) count++;
    }
    return count;
  } catch {
    return undefined;
  }
}

function hasContent(line: string): boolean {
  return line !== "" && !line.startsWith("#") && !line.startsWith("//");
}

/** The UTF-16 encoding a byte order mark names, if the list starts with one. */
function utf16Encoding(bytes: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return undefined;
}
