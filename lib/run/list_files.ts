// The list file and the failed file's path: opened and checked with one
// clear message for each way they can be wrong, and never harming a file the
// user did not hand over for writing (devices, FIFOs, the list itself).
// failed_file.ts writes the failed file.

//
// No `node:` module is loaded at start-up (tests/startup_graph_test.ts): paths
// are resolved here on POSIX, and node:fs is loaded only for `-f -`.

import { fileErrorReason, UsageError } from "../errors.ts";
import { nodeBuiltin } from "../types/node_builtin.ts";

/** Options of {@linkcode openList}. */
export interface OpenListOptions {
  /**
   * What `-f -` reads.
   *
   * @default {Deno.stdin.readable}
   */
  stdin?: ReadableStream<Uint8Array>;
}

/**
 * The list's name in messages: the path as given, or `(standard input)` for
 * `-`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { listName } from "./list_files.ts";
 * assert.equal(listName("-"), "(standard input)");
 * assert.equal(listName("list.txt"), "list.txt");
 * ```
 */
export function listName(file: string): string {
  return file === "-" ? "(standard input)" : file;
}

function _isBinary(head: Uint8Array): boolean {
  const bom = (head[0] ?? 0) << 8 | (head[1] ?? 0);
  return bom !== 0xfffe && bom !== 0xfeff && head.includes(0);
}

/**
 * Opens the image list as a stream, read once from its start: `-` is standard
 * input, and pipes, FIFOs and `/dev/stdin` work like files. Refuses
 * directories and binary files (a NUL byte in the first chunk, unless it
 * starts with a UTF-16 BOM).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { openList } from "./list_files.ts";
 * const stdin = ReadableStream.from([new TextEncoder().encode("nginx\n")]);
 * const stream = await openList("-", { stdin });
 * assert.equal(await new Response(stream).text(), "nginx\n");
 * ```
 */
export async function openList(
  file: string,
  options: OpenListOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const name = listName(file);
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    if (file === "-") {
      reader = (options.stdin ?? Deno.stdin.readable).getReader();
    } else {
      const info = await Deno.stat(file);
      if (info.isDirectory) {
        throw new UsageError(
          `Cannot read image list "${name}": it is a directory`,
        );
      }
      reader = (await Deno.open(file, { read: true })).readable.getReader();
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `Cannot read image list "${name}": ${fileErrorReason(error)}`,
    );
  }
  let head: Uint8Array;
  try {
    const first = await reader.read();
    head = first.done ? new Uint8Array(0) : first.value;
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw new UsageError(
      `Cannot read image list "${name}": ${fileErrorReason(error)}`,
    );
  }
  if (_isBinary(head)) {
    await reader.cancel().catch(() => {});
    throw new UsageError(
      `Cannot read image list "${name}": it is a binary file, not a text list`,
    );
  }
  let first: Uint8Array | undefined = head;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first !== undefined) {
        if (first.length > 0) controller.enqueue(first);
        first = undefined;
        return;
      }
      const chunk = await reader.read();
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel(why) {
      return reader.cancel(why);
    },
  });
}

/**
 * Refuses an `-o` that is the list itself: the same path, or the same regular
 * file (device and inode: through a symbolic or hard link too). `list` is the
 * path to compare (`/dev/stdin` for `-f -`), or undefined for none.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNotList } from "./list_files.ts";
 * const file = await Deno.makeTempFile();
 * await assert.rejects(checkNotList(file, file), /it is the image list/);
 * await checkNotList(file, `${file}.failed`);
 * await Deno.remove(file);
 * ```
 */
export async function checkNotList(
  list: string | typeof STANDARD_INPUT | undefined,
  output: string,
): Promise<void> {
  if (list === undefined) return;
  const [a, b] = await Promise.all([
    list === STANDARD_INPUT ? standardInputInfo() : statOrUndefined(list),
    statOrUndefined(output),
  ]);
  if (list === output || sameInode(a, b)) {
    throw new UsageError(
      `Cannot write failed list "${output}": it is the image list given to -f`,
    );
  }
}

/** What {@linkcode sameInode} compares of a file. */
type FileIdentity = { isFile: boolean; ino: number | null; dev: number };

/** Whether two stats are one regular file (device and inode). */
function sameInode(
  a: FileIdentity | undefined,
  b: FileIdentity | undefined,
): boolean {
  return !!a?.isFile && a.ino !== null && a.dev === b?.dev && a.ino === b.ino;
}

/**
 * Whether two paths name one file: the same path once resolved, or the same
 * regular file (device and inode: through a symbolic or hard link too).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameFile } from "./list_files.ts";
 * const file = Deno.makeTempFileSync();
 * Deno.linkSync(file, `${file}.link`);
 * assert(sameFile(file, `${file}.link`));
 * assert(!sameFile(file, `${file}.other`));
 * Deno.removeSync(file);
 * Deno.removeSync(`${file}.link`);
 * ```
 */
export function sameFile(a: string, b: string): boolean {
  if (resolvePath(a) === resolvePath(b)) return true;
  const [x, y] = [a, b].map((path) => {
    try {
      return Deno.statSync(path);
    } catch {
      return undefined;
    }
  });
  return sameInode(x, y);
}

/**
 * `node:path`'s `resolve(path)`: absolute, normalised, no trailing slash. On
 * POSIX without loading node:path; elsewhere with it (loaded on first use).
 */
function resolvePath(path: string): string {
  if (Deno.build.os === "windows") {
    return nodeBuiltin("node:path").resolve(path);
  }
  const parts: string[] = [];
  const full = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  for (const part of full.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "" && part !== ".") parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** The standard input of the process, as `-f -` names it. */
export const STANDARD_INPUT: unique symbol = Symbol("standard input");

function statOrUndefined(path: string) {
  return Deno.stat(path).catch(() => undefined);
}

/**
 * What file standard input is (the shell's `< list.txt`), read from the
 * open descriptor: unlike a stat of /dev/stdin it needs no permission.
 */
function standardInputInfo(): FileIdentity | undefined {
  try {
    const info = nodeBuiltin("node:fs").fstatSync(0);
    return { isFile: info.isFile(), ino: info.ino, dev: info.dev };
  } catch {
    return undefined;
  }
}

/**
 * Fails early when the failed file could not be written at the end. Only a
 * regular file is opened (for appending, so nothing changes); a device or a
 * FIFO is left unopened.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWritable } from "./list_files.ts";
 * await checkWritable("/dev/null");
 * await assert.rejects(checkWritable("/"), /it is a directory/);
 * ```
 */
export async function checkWritable(file: string): Promise<void> {
  try {
    const info = await Deno.stat(file);
    if (info.isDirectory) {
      throw new UsageError(
        `Cannot write failed list "${file}": it is a directory`,
      );
    }
    if (!info.isFile) return;
    const handle = await Deno.open(file, { write: true, append: true });
    handle.close();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new UsageError(
        `Cannot write failed list "${file}": ${fileErrorReason(error)}`,
      );
    }
    try {
      const handle = await Deno.open(file, { write: true, createNew: true });
      handle.close();
      await Deno.remove(file);
    } catch (inner) {
      throw new UsageError(
        `Cannot write failed list "${file}": ${fileErrorReason(inner)}`,
      );
    }
  }
}
