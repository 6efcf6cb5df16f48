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
    let count = 0;
    let start = 0;
    const decoder = new TextDecoder();
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      const line = decoder.decode(bytes.subarray(start, i)).trim();
      start = i + 1;
      if (line !== "" && !line.startsWith("#") && !line.startsWith("//")) {
        count++;
      }
    }
    return count;
  } catch {
    return undefined;
  }
}
