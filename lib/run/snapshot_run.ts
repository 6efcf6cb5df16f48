/**
 * One run of `hangar mirror snapshot`: the source side of every line read
 * and recorded, the failed lines written as a validation writes them, then
 * the snapshot written atomically (not when interrupted: an incomplete
 * snapshot never replaces a complete one).
 *
 * @module
 */

import { fileErrorReason } from "../errors.ts";
import type { Reporter } from "../report/reporter.ts";
import {
  writeSnapshotFile,
  type WrittenSnapshot,
} from "../sources/snapshot_file.ts";
import { SnapshotRecorder } from "../sources/snapshot_recorder.ts";
import { readSourceImage } from "../verdict/read_source.ts";
import { EXIT, type RunOptions, type RunResult, runValidation } from "./run.ts";

/** Options of {@linkcode runSnapshot}. */
export interface SnapshotRunOptions extends Omit<RunOptions, "check"> {
  /** Where the snapshot goes (`-o`); `.gz` compresses it. */
  snapshotFile: string;
  /** The tool and version recorded in the snapshot. */
  createdBy: string;
  /** Wall clock for the snapshot's time. @default {() => new Date()} */
  now?: () => Date;
}

/** What a snapshot run ended with. */
export interface SnapshotRunResult extends RunResult {
  /** The file written, when it was. */
  written?: WrittenSnapshot;
  /** Why it was not written: interrupted, or the write failed. */
  notWritten?: string;
}

/**
 * Records the source of every line of a list into a snapshot file. Exit
 * code as a validation's: 1 when a source failed or a line was invalid (the
 * snapshot still holds the rest), 2 when the snapshot cannot be written.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSnapshot } from "./snapshot_run.ts";
 * const dir = await Deno.makeTempDir();
 * const { code, written } = await runSnapshot({
 *   list: new Blob(["bad:line:\n"]).stream(),
 *   clients: () => { throw new Error("unused"); },
 *   architectures: ["amd64"], oses: ["linux"],
 *   failedFile: `${dir}/failed.txt`, snapshotFile: `${dir}/s.json`,
 *   createdBy: "test",
 * }, { onResult: () => {}, onSummary: () => {} });
 * assert.equal(code, 1);
 * assert.equal(written?.bytes, (await Deno.stat(`${dir}/s.json`)).size);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function runSnapshot(
  options: SnapshotRunOptions,
  reporter: Reporter,
): Promise<SnapshotRunResult> {
  const recorder = new SnapshotRecorder({
    selection: { architectures: options.architectures, oses: options.oses },
    createdBy: options.createdBy,
    checks: {
      deep: options.extra?.deep ?? false,
      referrers: options.extra?.referrers ?? false,
    },
    ...(options.now ? { now: options.now } : {}),
  });
  const result: SnapshotRunResult = await runValidation({
    ...options,
    clients: (registry, side) =>
      recorder.wrap(registry, options.clients(registry, side)),
    check: readSourceImage,
  }, reporter);
  if (result.summary.failedFile === undefined) return result;
  if (result.summary.interrupted) {
    result.notWritten = "interrupted";
    return result;
  }
  try {
    result.written = await writeSnapshotFile(
      options.snapshotFile,
      recorder.snapshot(),
    );
  } catch (error) {
    result.notWritten = fileErrorReason(error);
    result.code = EXIT.usage;
  }
  return result;
}
