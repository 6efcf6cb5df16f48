// The list file and the failed file: opened, checked and written with one
// clear message for each way they can be wrong.

import { UsageError } from "./_cli_support.ts";

/** Opens the image list, refusing directories and binary files. */
export async function openList(
  file: string,
): Promise<ReadableStream<Uint8Array>> {
  let handle: Deno.FsFile;
  try {
    const info = await Deno.stat(file);
    if (info.isDirectory) {
      throw new UsageError(
        `Cannot read image list "${file}": it is a directory`,
      );
    }
    handle = await Deno.open(file, { read: true });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot read image list "${file}": ${reason(error)}`);
  }
  const head = new Uint8Array(8192);
  const n = (await handle.read(head)) ?? 0;
  if (head.subarray(0, n).includes(0)) {
    handle.close();
    throw new UsageError(
      `Cannot read image list "${file}": it is a binary file, not a text list`,
    );
  }
  await handle.seek(0, Deno.SeekMode.Start);
  return handle.readable;
}

/** Fails early when the failed file could not be written at the end. */
export async function checkWritable(file: string): Promise<void> {
  try {
    const info = await Deno.stat(file);
    if (info.isDirectory) {
      throw new UsageError(
        `Cannot write failed list "${file}": it is a directory`,
      );
    }
    const handle = await Deno.open(file, { write: true, append: true });
    handle.close();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new UsageError(
        `Cannot write failed list "${file}": ${reason(error)}`,
      );
    }
    try {
      const handle = await Deno.open(file, { write: true, createNew: true });
      handle.close();
      await Deno.remove(file);
    } catch (inner) {
      throw new UsageError(
        `Cannot write failed list "${file}": ${reason(inner)}`,
      );
    }
  }
}

function reason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\(os error \d+\).*$/, "").replace(/:\s*$/, "");
}

/**
 * Writes the failed lines, in input order, as they were written; with none,
 * removes a failed file left by an earlier run. Returns how many were written.
 */
export async function writeFailedList(
  file: string,
  lines: { line: number; text: string }[],
): Promise<number> {
  if (lines.length === 0) {
    await Deno.remove(file).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    return 0;
  }
  const sorted = [...lines].sort((a, b) => a.line - b.line);
  await Deno.writeTextFile(file, sorted.map((r) => r.text + "\n").join(""));
  return sorted.length;
}
