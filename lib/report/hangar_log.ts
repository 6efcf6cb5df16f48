/**
 * The hangar log format as a {@linkcode Reporter}: `HH:MM:SS [LEVEL] message`
 * lines, INFO and DEBU on stdout, WARN and ERRO on stderr, the level coloured
 * when asked. Lines that name no destination registry are gathered into one
 * line at the end.
 *
 * @module
 */

import { NO_DESTINATION } from "../list/image_list.ts";
import type { LineResult } from "../verdict/validate.ts";
import { formatLogLine, type LogLine, resultLines } from "./report.ts";
import type { Reporter, RunNotice, RunSummary } from "./reporter.ts";
import {
  allSkippedMessage,
  checksLine,
  failedFileLine,
  noDestinationMessage,
  summaryLine,
  tallyTotal,
} from "./summary.ts";

/** Options of {@linkcode HangarLog}. */
export interface HangarLogOptions {
  /** Receives stdout text, one call a line, newline included. */
  stdout: (text: string) => void;
  /** Receives stderr text, one call a line, newline included. */
  stderr: (text: string) => void;
  /** The list's name, for `FILE:LINE` of invalid lines. */
  list: string;
  /**
   * Whether the level is coloured.
   *
   * @default {false}
   */
  color?: boolean;
  /**
   * Whether srcSpec / dstSpec of every compared image are logged at DEBU.
   *
   * @default {false}
   */
  debug?: boolean;
  /**
   * Wall clock for the time of each line.
   *
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * `snapshot` for `hangar mirror snapshot` (lines name only the source;
   * the summary counts recorded lines).
   *
   * @default {"validate"}
   */
  mode?: "validate" | "snapshot";
  /**
   * Only FAILED, invalid and WARN lines and the summary (`--quiet`).
   *
   * @default {false}
   */
  quiet?: boolean;
  /**
   * Whether each line starts with the time (`--hide-log-time` turns it off).
   *
   * @default {true}
   */
  time?: boolean;
}

const INTERRUPTED =
  "Interrupted: no new image starts, images in flight get 3s to finish; interrupt again to stop them at once";
const INTERRUPTED_AGAIN =
  "Interrupted again: images in flight are abandoned; writing the summary and the failed list";

/**
 * Writes a run in the hangar log format.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { HangarLog } from "./hangar_log.ts";
 * import { emptyTally } from "./summary.ts";
 * const out: string[] = [];
 * const log = new HangarLog({
 *   stdout: (text) => out.push(text),
 *   stderr: (text) => out.push(text),
 *   list: "list.txt",
 *   now: () => new Date(2024, 0, 1, 9, 5, 7),
 * });
 * log.onResult({ kind: "invalid", line: 3, text: "a b", reason: "bad" });
 * log.onSummary({
 *   tally: { ...emptyTally(), invalid: 1 },
 *   durationMs: 20,
 *   interrupted: false,
 *   selection: { architectures: ["amd64"], oses: ["linux"] },
 *   failedFile: { path: "failed.txt", written: 0, failed: 0, notRun: 0 },
 * });
 * assert.deepEqual(out, [
 *   '09:05:07 [ERRO] list.txt:3: invalid line "a b": bad\n',
 *   "09:05:07 [INFO] Validated 1 line in 0.020s: 0 passed, 0 skipped, 0 failed, 1 invalid, 0 not run\n",
 * ]);
 * ```
 */
export class HangarLog implements Reporter {
  #options: HangarLogOptions;
  #noDestination = { lines: 0, first: "" };

  /** Makes a reporter that writes through `options.stdout` / `stderr`. */
  constructor(options: HangarLogOptions) {
    this.#options = options;
  }

  /** Writes one line now, to the stream its level belongs to. */
  log(line: LogLine): void {
    const { color = false, now = () => new Date(), time = true } =
      this.#options;
    const text = formatLogLine(line, time ? now() : undefined, color) + "\n";
    if (line.level === "INFO" || line.level === "DEBU") {
      this.#options.stdout(text);
    } else this.#options.stderr(text);
  }

  /** Writes a result's lines; a line with no destination is kept for the end. */
  onResult(result: LineResult): void {
    if (result.kind === "invalid" && result.reason === NO_DESTINATION) {
      if (this.#noDestination.lines++ === 0) {
        this.#noDestination.first = `${this.#options.list}:${result.line}`;
      }
      return;
    }
    const { list: file, debug = false, mode = "validate" } = this.#options;
    for (const line of resultLines(result, { file, debug, mode })) {
      if (
        this.#options.quiet && (line.level === "INFO" || line.level === "DEBU")
      ) {
        continue;
      }
      this.log(line);
    }
  }

  /** Writes an interrupt or a warning at WARN, a debug message at DEBU. */
  onNotice(notice: RunNotice): void {
    switch (notice.kind) {
      case "interrupted":
        return this.log({ level: "WARN", message: INTERRUPTED });
      case "interrupted-again":
        return this.log({ level: "WARN", message: INTERRUPTED_AGAIN });
      case "warning":
        return this.log({ level: "WARN", message: notice.message });
      case "debug":
        if (this.#options.quiet) return;
        return this.log({ level: "DEBU", message: notice.message });
    }
  }

  /**
   * Writes the end: an empty list's error, the no-destination line, the
   * all-skipped warning, the summary, then the failed file's fate.
   */
  onSummary(summary: RunSummary): void {
    const { tally, selection, failedFile } = summary;
    const total = tallyTotal(tally);
    if (summary.listError !== undefined) {
      this.log({
        level: "ERRO",
        message:
          `Cannot read image list "${this.#options.list}" to its end: ${summary.listError}`,
      });
    }
    if (total === 0 && summary.shard) {
      const { index, count } = summary.shard;
      this.log({
        level: "INFO",
        message:
          `Shard ${index}/${count} holds no line of "${this.#options.list}"`,
      });
      return;
    }
    if (total === 0) {
      this.log({
        level: "ERRO",
        message: `Image list "${this.#options.list}" has no image to validate`,
      });
      return;
    }
    const noDestination = this.#noDestination;
    if (noDestination.lines > 0) {
      this.log({
        level: "ERRO",
        message: noDestinationMessage(noDestination.lines, noDestination.first),
      });
    }
    if (tally.skipped > 0 && tally.skipped + tally.invalid === total) {
      this.log({
        level: "WARN",
        message: allSkippedMessage(selection.architectures, selection.oses),
      });
    }
    this.log({
      level: "INFO",
      message: summaryLine(
        tally,
        summary.durationMs,
        summary.interrupted,
        this.#options.mode,
      ),
    });
    const checks = checksLine(summary.checks);
    if (checks !== undefined) this.log({ level: "INFO", message: checks });
    if (failedFile === undefined) return;
    if (failedFile.removalWarning !== undefined) {
      this.log({ level: "WARN", message: failedFile.removalWarning });
    }
    if (failedFile.writeError !== undefined) {
      this.log({
        level: "ERRO",
        message: `Cannot write "${failedFile.path}": ${failedFile.writeError}`,
      });
    } else if (failedFile.written > 0) {
      this.log({
        level: "INFO",
        message: failedFileLine(failedFile.path, failedFile),
      });
    }
  }
}
