// The failed file (`-o`): the lines to retry written in input order, and an
// old one removed after a clean run, never harming a file the user did not
// hand over for writing (devices, FIFOs, symbolic links).

import type { FailedLines } from "./failed_lines.ts";
import { fileErrorReason } from "../errors.ts";

/**
 * Writes the failed lines, in input order, as they were written. Returns how
 * many were written; with none, touches nothing (see
 * {@linkcode removeOldFailedList}).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFailedList } from "./failed_file.ts";
 * const file = await Deno.makeTempFile();
 * const lines = [{ line: 5, text: "b" }, { line: 2, text: "a" }];
 * assert.equal(await writeFailedList(file, lines), 2);
 * assert.equal(await Deno.readTextFile(file), "a\nb\n");
 * await Deno.remove(file);
 * ```
 */
export async function writeFailedList(
  file: string,
  lines: { line: number; text: string }[] | FailedLines,
): Promise<number> {
  if (lines.length === 0) return 0;
  // A FailedLines gives its lines in input order already; the text goes out
  // in chunks, never as one string of the whole file.
  const ordered = Array.isArray(lines)
    ? [...lines].sort((a, b) => a.line - b.line)
    : lines;
  await Deno.writeTextFile(file, ReadableStream.from(textChunks(ordered)));
  return lines.length;
}

function* textChunks(
  lines: Iterable<{ text: string }>,
): Generator<string> {
  let chunk = "";
  for (const { text } of lines) {
    chunk += text + "\n";
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

/**
 * After a clean run, removes a failed file left by an earlier run, only when
 * it is a regular file: a device (`/dev/null`), FIFO, directory or symbolic
 * link is left as it is. Returns a warning when something stays behind that
 * may hold old failed lines, or when the removal failed; never throws.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeOldFailedList } from "./failed_file.ts";
 * const file = await Deno.makeTempFile();
 * assert.equal(await removeOldFailedList(file), undefined);
 * await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
 * assert.equal(await removeOldFailedList("/dev/null"), undefined);
 * ```
 */
export async function removeOldFailedList(
  file: string,
): Promise<string | undefined> {
  try {
    const info = await Deno.lstat(file);
    if (info.isSymlink) {
      const target = await Deno.stat(file).catch(() => undefined);
      return target?.isFile && target.size > 0
        ? `Old failed list "${file}" left in place: it is a symbolic link`
        : undefined;
    }
    if (!info.isFile) return undefined;
    await Deno.remove(file);
    return undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    return `Cannot remove old failed list "${file}": ${fileErrorReason(error)}`;
  }
}
