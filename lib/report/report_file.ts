/**
 * Where a report goes: standard output (`-`), or a file written atomically.
 * A file report is written to a temporary file beside it as the run goes and
 * renamed over the target when the run ends (interrupted runs included: the
 * summary says so), so a reader never sees half a report. A target that is a
 * device or a FIFO (`/dev/null`) is written in place; a symbolic link is
 * followed. {@linkcode checkReportPath} finds an unwritable path before the
 * run starts.
 *
 * @module
 */

import { fileErrorReason, isNotFound, UsageError } from "../errors.ts";
import { nodeBuiltin } from "../types/node_builtin.ts";

/** What a report writes to. */
export interface ReportOutput {
  /** Appends text. */
  write(text: string): void;
  /** Called once, after the last write: the report is complete. */
  close?(): void;
}

/** A run without file reports never loads `node:path`. */
const nodePath = () => nodeBuiltin("node:path");

const encoder = new TextEncoder();
const FLUSH_BYTES = 64 * 1024;

/**
 * Tells, before a run, whether a report can be written to `path`: `-` always
 * can; otherwise its directory must exist and take a new file, and the path
 * must not be a directory.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReportPath } from "./report_file.ts";
 * checkReportPath("-");
 * assert.throws(
 *   () => checkReportPath("/no/such/dir/report.json"),
 *   /Cannot write report "\/no\/such\/dir\/report.json": directory "\/no\/such\/dir" does not exist/,
 * );
 * ```
 */
export function checkReportPath(path: string): void {
  if (path === "-") return;
  const fail = (reason: string) =>
    new UsageError(`Cannot write report "${path}": ${reason}`);
  if (path === "") throw fail("the path is empty");
  const target = resolveTarget(path);
  const info = statOrUndefined(target);
  if (info?.isDirectory) throw fail("it is a directory");
  if (info !== undefined && !info.isFile) return; // a device or a FIFO
  const dir = nodePath().dirname(target);
  let dirInfo: Deno.FileInfo;
  try {
    dirInfo = Deno.statSync(dir);
  } catch (error) {
    if (isNotFound(error)) throw fail(`directory "${dir}" does not exist`);
    throw fail(`directory "${dir}": ${fileErrorReason(error)}`);
  }
  if (!dirInfo.isDirectory) throw fail(`"${dir}" is not a directory`);
  try {
    const probe = tempName(target);
    Deno.openSync(probe, { write: true, createNew: true }).close();
    Deno.removeSync(probe);
    if (info !== undefined) Deno.openSync(target, { write: true }).close();
  } catch (error) {
    throw fail(`not writable: ${fileErrorReason(error)}`);
  }
}

/**
 * Opens the output of a report: `-` writes through `stdout` and closes
 * nothing; a path gets a {@linkcode ReportFile}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { openReport } from "./report_file.ts";
 * const out: string[] = [];
 * const output = openReport("-", { stdout: (text) => out.push(text) });
 * output.write("{}\n");
 * output.close?.();
 * assert.deepEqual(out, ["{}\n"]);
 * ```
 */
export function openReport(
  path: string,
  options: { stdout: (text: string) => void },
): ReportOutput {
  if (path === "-") return { write: options.stdout };
  return new ReportFile(path);
}

/**
 * A report file: text is buffered and written to a temporary file in the
 * target's directory, which `close()` renames over the target. A write
 * error is kept and thrown by `close()`, which then removes the temporary
 * file; `discard()` removes it without touching the target.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReportFile } from "./report_file.ts";
 * const dir = Deno.makeTempDirSync();
 * const file = new ReportFile(`${dir}/r.json`);
 * file.write("a\n");
 * assert.throws(() => Deno.statSync(`${dir}/r.json`));
 * file.close();
 * assert.equal(Deno.readTextFileSync(`${dir}/r.json`), "a\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export class ReportFile implements ReportOutput {
  #path: string;
  #target: string;
  #temp: string | undefined;
  #file: Deno.FsFile | undefined;
  #pending: string[] = [];
  #pendingBytes = 0;
  #error: unknown;
  #done = false;

  /** Opens the temporary file (or the device) for `path`. */
  constructor(path: string) {
    this.#path = path;
    this.#target = resolveTarget(path);
    try {
      const info = statOrUndefined(this.#target);
      if (info !== undefined && !info.isFile && !info.isDirectory) {
        this.#file = Deno.openSync(this.#target, { write: true });
      } else {
        this.#temp = tempName(this.#target);
        this.#file = Deno.openSync(this.#temp, {
          write: true,
          createNew: true,
          mode: 0o666,
        });
      }
    } catch (error) {
      this.#error = error;
    }
  }

  /** Appends text; a write error is kept for `close()`. */
  write(text: string): void {
    if (this.#done || this.#error !== undefined) return;
    this.#pending.push(text);
    this.#pendingBytes += text.length;
    if (this.#pendingBytes >= FLUSH_BYTES) this.#flush();
  }

  /**
   * Writes what is buffered and renames the temporary file over the target.
   * Throws `Cannot write report "<path>": <reason>` when anything failed.
   */
  close(): void {
    if (this.#done) return;
    this.#flush();
    this.#done = true;
    try {
      this.#file?.close();
      if (this.#error === undefined && this.#temp !== undefined) {
        Deno.renameSync(this.#temp, this.#target);
        this.#temp = undefined;
      }
    } catch (error) {
      this.#error ??= error;
    }
    if (this.#error !== undefined) {
      this.#removeTemp();
      throw new Error(
        `Cannot write report "${this.#path}": ${fileErrorReason(this.#error)}`,
      );
    }
  }

  /** Drops the report: closes and removes the temporary file. */
  discard(): void {
    if (this.#done) return;
    this.#done = true;
    try {
      this.#file?.close();
    } catch {
      // already closed
    }
    this.#removeTemp();
  }

  #flush(): void {
    if (this.#pending.length === 0 || this.#error !== undefined) return;
    const bytes = encoder.encode(this.#pending.join(""));
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      let written = 0;
      while (written < bytes.length) {
        written += this.#file!.writeSync(bytes.subarray(written));
      }
    } catch (error) {
      this.#error = error;
    }
  }

  #removeTemp(): void {
    if (this.#temp === undefined) return;
    try {
      Deno.removeSync(this.#temp);
    } catch {
      // nothing to remove
    }
    this.#temp = undefined;
  }
}

/** The file a path names: a symbolic link's target, else the path. */
function resolveTarget(path: string): string {
  try {
    if (Deno.lstatSync(path).isSymlink) return Deno.realPathSync(path);
  } catch {
    // missing, or a dangling link: the path itself
  }
  return path;
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch {
    return undefined;
  }
}

function tempName(target: string): string {
  const random = crypto.randomUUID().slice(0, 8);
  const { basename, dirname, join } = nodePath();
  return join(dirname(target), `.${basename(target)}.${random}.tmp`);
}
