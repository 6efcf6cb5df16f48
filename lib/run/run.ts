/**
 * One run of `mirror-validate`: validates a list, tallies the results, tells
 * a {@linkcode Reporter} as it goes, handles interrupts, writes the failed
 * file (or removes an old one) and picks the exit code. Knows no flag and no
 * output format.
 *
 * @module
 */

import { fileErrorReason } from "../errors.ts";
import { FailedLines } from "./failed_lines.ts";
import { inShard, type Shard } from "./shard.ts";
import type { HeapPacer } from "./heap_pacer.ts";
import { type ListOptions, readImageList } from "../list/image_list.ts";
import type { ClientFactory } from "../verdict/source.ts";
import {
  type ImageCheck,
  type LineResult,
  validateList,
} from "../verdict/validate.ts";
import { countResult, emptyTally, tallyTotal } from "../report/summary.ts";
import type {
  FailedFileOutcome,
  Reporter,
  RunSummary,
} from "../report/reporter.ts";
import { removeOldFailedList, writeFailedList } from "./failed_file.ts";

/** Exit status of a run. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Options of {@linkcode runValidation}. */
export interface RunOptions {
  /** The image list, read once. */
  list: ReadableStream<Uint8Array>;
  /**
   * Called once per result; the CLI passes a {@linkcode HeapPacer} so that a
   * long run keeps its heap small (a library run leaves the heap to V8).
   */
  pacer?: Pick<HeapPacer, "tick">;
  /**
   * How list lines become entries (registry and project overrides).
   *
   * @default {{}}
   */
  listOptions?: ListOptions;
  /** The client for a registry and side; the caller closes it. */
  clients: ClientFactory;
  /**
   * The work done for each image.
   *
   * @default {validateImage} the verdict rules
   */
  check?: ImageCheck;
  /**
   * Checks beyond the verdict rules (`--deep`, `--referrers`,
   * `--provenance`).
   *
   * @default {{}}
   */
  extra?: { deep?: boolean; referrers?: boolean; provenance?: boolean };
  /** Architectures to check. */
  architectures: readonly string[];
  /** Operating systems to check. */
  oses: readonly string[];
  /**
   * Images validated at once.
   *
   * @default {1}
   */
  jobs?: number;
  /**
   * Limit for one image, in ms; 0 for none.
   *
   * @default {600000}
   */
  timeoutMs?: number;
  /** Where the failed and not-run lines are written. */
  failedFile: string;
  /**
   * Validate only the lines of this shard (`--shard I/N`): lines are
   * assigned by a stable hash of their source and destination, invalid
   * lines to shard 1.
   *
   * @default {undefined} every line
   */
  shard?: Shard;
  /** Interrupts the run: no new image starts. */
  signal?: AbortSignal;
  /** Abandons images in flight; the summary and failed file still follow. */
  abandon?: AbortSignal;
  /**
   * When the run began, on the `performance.now()` clock (the CLI passes the
   * time it started checking flags).
   *
   * @default {performance.now()}
   */
  startedAt?: number;
}

/** What a run ended with. */
export interface RunResult {
  /** The exit code: 0, 1 (a failure or invalid line), 2, or 130. */
  code: number;
  /** The summary the reporter was given. */
  summary: RunSummary;
}

/**
 * Runs a validation. Exit code: 2 when the list has no image or the failed
 * file cannot be written, else 130 when interrupted, else 1 when a line
 * failed or was invalid, else 0.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runValidation } from "./run.ts";
 * const failedFile = await Deno.makeTempFile();
 * const calls: string[] = [];
 * const { code } = await runValidation({
 *   list: new Blob(["bad:line:\n"]).stream(),
 *   clients: () => { throw new Error("unused"); },
 *   architectures: ["amd64"],
 *   oses: ["linux"],
 *   failedFile,
 * }, {
 *   onResult: (result) => calls.push(result.kind),
 *   onSummary: (summary) => calls.push(`invalid ${summary.tally.invalid}`),
 * });
 * assert.equal(code, 1);
 * assert.deepEqual(calls, ["invalid", "invalid 1"]);
 * await assert.rejects(Deno.stat(failedFile), Deno.errors.NotFound);
 * ```
 */
export async function runValidation(
  options: RunOptions,
  reporter: Reporter,
): Promise<RunResult> {
  const startedAt = options.startedAt ?? performance.now();
  const { signal, abandon } = options;
  const tally = emptyTally();
  const checks: Record<string, number> = {};
  let listError: string | undefined;
  // Failed lines as compact bytes: 100,000 distinct lines run in under
  // 150 MB (scripts/_bench_memory.ts).
  const toRetry = new FailedLines();
  const onInterrupt = () => reporter.onNotice?.({ kind: "interrupted" });
  const onAbandon = () => reporter.onNotice?.({ kind: "interrupted-again" });
  signal?.addEventListener("abort", onInterrupt, { once: true });
  abandon?.addEventListener("abort", onAbandon, { once: true });
  try {
    const all = readImageList(options.list, options.listOptions ?? {});
    const shard = options.shard;
    const items = shard ? only(all, (item) => inShard(item, shard)) : all;
    const results = validateList(items, {
      clients: options.clients,
      architectures: options.architectures,
      oses: options.oses,
      ...(options.check ? { check: options.check } : {}),
      ...(options.extra ? { extra: options.extra } : {}),
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
      ...(options.timeoutMs !== undefined
        ? { timeoutMs: options.timeoutMs }
        : {}),
      ...(signal ? { signal } : {}),
      ...(abandon ? { abandon } : {}),
    });
    try {
      for await (const result of results) {
        countResult(tally, result);
        if (result.kind === "image" && result.outcome?.checks) {
          for (const [name, n] of Object.entries(result.outcome.checks)) {
            checks[name] = (checks[name] ?? 0) + n;
          }
        }
        options.pacer?.tick();
        reporter.onResult(result);
        if (needsRetry(result)) {
          toRetry.push({ line: result.line, text: result.text });
        }
      }
    } catch (error) {
      // The list could not be read to its end; what was read is reported.
      listError = fileErrorReason(error);
    }
  } finally {
    signal?.removeEventListener("abort", onInterrupt);
    abandon?.removeEventListener("abort", onAbandon);
  }
  const summary: RunSummary = {
    tally,
    durationMs: performance.now() - startedAt,
    interrupted: (signal?.aborted || abandon?.aborted) ?? false,
    selection: { architectures: options.architectures, oses: options.oses },
    ...(Object.keys(checks).length ? { checks } : {}),
    ...(options.shard ? { shard: options.shard } : {}),
    ...(listError !== undefined ? { listError } : {}),
  };
  if (tallyTotal(tally) === 0) {
    reporter.onSummary(summary);
    // A shard may hold no line of a short list; the list itself had some
    // only if another shard says so.
    return {
      code: options.shard && listError === undefined ? EXIT.ok : EXIT.usage,
      summary,
    };
  }
  summary.failedFile = await settleFailedFile(options.failedFile, toRetry, {
    failed: tally.failed,
    notRun: tally.notRun,
  });
  reporter.onSummary(summary);
  return { code: exitCode(summary), summary };
}

/** Writes the lines to retry, or, with none, removes an old failed file. */
async function settleFailedFile(
  path: string,
  lines: FailedLines,
  counts: { failed: number; notRun: number },
): Promise<FailedFileOutcome> {
  const outcome: FailedFileOutcome = { path, written: 0, ...counts };
  if (lines.length === 0) {
    const warning = await removeOldFailedList(path);
    if (warning !== undefined) outcome.removalWarning = warning;
  }
  try {
    outcome.written = await writeFailedList(path, lines);
  } catch (error) {
    outcome.writeError = fileErrorReason(error);
  }
  return outcome;
}

async function* only<T>(
  items: AsyncIterable<T>,
  keep: (item: T) => boolean,
): AsyncIterable<T> {
  for await (const item of items) if (keep(item)) yield item;
}

function exitCode(summary: RunSummary): number {
  if (summary.failedFile?.writeError !== undefined) return EXIT.usage;
  if (summary.listError !== undefined) return EXIT.usage;
  if (summary.interrupted) return EXIT.interrupted;
  const { failed, invalid } = summary.tally;
  return failed + invalid > 0 ? EXIT.failed : EXIT.ok;
}

function needsRetry(result: LineResult): boolean {
  return result.kind === "image" &&
    (result.outcome === undefined ||
      result.outcome.verdict.status === "failed");
}
