/**
 * Reading and writing snapshot files: gzip when the name ends in `.gz` (read
 * by its magic bytes), written atomically (a temporary file renamed over the
 * target), pinned by the file's own sha256.
 *
 * @module
 */

import { fileErrorReason, UsageError } from "../errors.ts";
import { sha256Digest } from "../types/digest.ts";
import { checkSnapshot, type Snapshot } from "./snapshot_format.ts";

/** Options of {@linkcode readSnapshotFile}. */
export interface ReadSnapshotOptions {
  /**
   * The sha256 the file must have (`--source-snapshot-digest`), as
   * `sha256:<hex>`.
   *
   * @default {undefined} not pinned
   */
  digest?: string;
}

/**
 * Reads, pins and checks a snapshot file; every problem is one
 * {@linkcode UsageError} naming the file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSnapshotFile } from "./snapshot_file.ts";
 * await assert.rejects(readSnapshotFile("/nonexistent/s.json"), {
 *   message: 'Cannot read snapshot "/nonexistent/s.json": no such file',
 * });
 * ```
 */
export async function readSnapshotFile(
  path: string,
  options: ReadSnapshotOptions = {},
): Promise<Snapshot> {
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw new UsageError(`is a directory`);
    bytes = await Deno.readFile(path);
  } catch (error) {
    const reason = error instanceof UsageError
      ? error.message
      : fileErrorReason(error);
    throw new UsageError(`Cannot read snapshot "${path}": ${reason}`);
  }
  const fail = (problem: string) =>
    new UsageError(`Cannot use snapshot "${path}": ${problem}`);
  if (options.digest !== undefined) {
    const actual = await sha256Digest(bytes);
    if (actual !== options.digest.toLowerCase()) {
      throw fail(
        `its sha256 is ${actual}, not ${options.digest} (--source-snapshot-digest)`,
      );
    }
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzip(bytes);
    } catch {
      throw fail("gzip data is damaged or truncated");
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw fail(
      bytes.length === 0 ? "file is empty" : "not JSON (truncated or damaged?)",
    );
  }
  return await checkSnapshot(value, path);
}

/** What {@linkcode writeSnapshotFile} wrote. */
export interface WrittenSnapshot {
  /** The file's sha256, `sha256:<hex>` (of the bytes on disk, gzip or not). */
  digest: string;
  /** The file's size in bytes. */
  bytes: number;
}

/**
 * Writes a snapshot atomically: to a temporary file beside the target, then
 * renamed over it, so a failed run never leaves a broken or half-written
 * snapshot. Gzip-compressed when the path ends in `.gz`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSnapshotFile, writeSnapshotFile } from "./snapshot_file.ts";
 * const dir = await Deno.makeTempDir();
 * const snapshot = {
 *   kind: "hangar.mirror-snapshot" as const, schemaVersion: 1,
 *   createdAt: "2026-01-01T00:00:00.000Z", createdBy: "test",
 *   selection: { architectures: ["amd64"], oses: ["linux"] },
 *   images: {}, answers: {}, bodies: {},
 * };
 * const written = await writeSnapshotFile(`${dir}/s.json.gz`, snapshot);
 * const back = await readSnapshotFile(`${dir}/s.json.gz`, { digest: written.digest });
 * assert.deepEqual(back, snapshot);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSnapshotFile(
  path: string,
  snapshot: Snapshot,
): Promise<WrittenSnapshot> {
  let bytes: Uint8Array = new TextEncoder().encode(
    JSON.stringify(snapshot, null, 1) + "\n",
  );
  if (path.endsWith(".gz")) bytes = await gzip(bytes);
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  const base = path.slice(slash + 1);
  const temporary = `${dir}/.${base}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeFile(temporary, bytes, { createNew: true, mode: 0o644 });
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  return { digest: await sha256Digest(bytes), bytes: bytes.length };
}

/**
 * Checks before a run that a snapshot can be written to `path`: its
 * directory exists, and the path is not a directory, a device or a FIFO
 * (renaming over one would replace it). A {@linkcode UsageError} otherwise.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSnapshotTarget } from "./snapshot_file.ts";
 * await assert.rejects(checkSnapshotTarget("/dev/null"), {
 *   message: 'Cannot write snapshot "/dev/null": not a regular file',
 * });
 * ```
 */
export async function checkSnapshotTarget(path: string): Promise<void> {
  const fail = (reason: string) =>
    new UsageError(`Cannot write snapshot "${path}": ${reason}`);
  if (path === "" || path === "-") throw fail("give a file name");
  try {
    const info = await Deno.lstat(path);
    if (info.isDirectory) throw fail("it is a directory");
    if (!info.isFile) throw fail("not a regular file");
    return;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (!(error instanceof Deno.errors.NotFound)) {
      throw fail(fileErrorReason(error));
    }
  }
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw fail(`"${dir}" is not a directory`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw fail(`directory "${dir}": ${fileErrorReason(error)}`);
  }
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
