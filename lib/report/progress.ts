/**
 * The progress line for a terminal: lines done (of the total, when known),
 * the rate, the time left and the failures so far, redrawn in place on
 * stderr at most every 100 ms and cleared before each log line. The caller
 * decides whether to show it (a terminal, not `CI=true`, not `--quiet`).
 *
 * @module
 */

import type { LineResult } from "../verdict/validate.ts";
import type { Reporter, RunSummary } from "./reporter.ts";

/** What the progress line shows. */
export interface ProgressCounts {
  /** Lines with a result so far. */
  done: number;
  /** Lines with content in the list, when counted up front. */
  total?: number;
  /** Failed images and invalid lines so far. */
  failed: number;
}

/** Timers of {@linkcode ProgressLine}, injectable for tests. */
export interface ProgressTimers {
  /** Calls `fn` once after `ms`; the timer must not keep the process alive. */
  set(fn: () => void, ms: number): unknown;
  /** Cancels a timer of `set`. */
  clear(id: unknown): void;
}

/** Options of {@linkcode ProgressLine}. */
export interface ProgressLineOptions {
  /** Writes to the terminal (stderr). */
  write: (text: string) => void;
  /** Lines with content, when known at the start (see `setTotal`). */
  total?: number;
  /** Clock in ms. @default {performance.now} */
  now?: () => number;
  /** Timers. @default {setTimeout / clearTimeout, unreferenced} */
  timers?: ProgressTimers;
  /** Shortest time between two redraws, in ms. @default {100} */
  intervalMs?: number;
  /** Redraw this often when nothing happens (rate, ETA), in ms. @default {1000} */
  refreshMs?: number;
  /** Terminal width; the line is cut to fit. @default {undefined} no limit */
  columns?: number;
}

/** Goes back to the start of the line and clears it. */
export const CLEAR_LINE = "\r\x1b[2K";

const REAL_TIMERS: ProgressTimers = {
  set(fn, ms) {
    const id = setTimeout(fn, ms);
    Deno.unrefTimer(id as unknown as number);
    return id;
  },
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/**
 * A duration in seconds as `7s`, `2m05s`, `1h02m`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEta } from "./progress.ts";
 * assert.deepEqual([formatEta(7.2), formatEta(125), formatEta(3720)], ["8s", "2m05s", "1h02m"]);
 * ```
 */
export function formatEta(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) {
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  }
  const m = Math.floor(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * The progress text: `done/total (pct%) · rate/s · ETA · N failed`; no total
 * means no percentage and no ETA, no rate yet means `-/s`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressText } from "./progress.ts";
 * assert.equal(
 *   progressText({ done: 150, total: 600, failed: 2 }, 30_000),
 *   "150/600 (25%) · 5.0/s · ETA 1m30s · 2 failed",
 * );
 * ```
 */
export function progressText(
  counts: ProgressCounts,
  elapsedMs: number,
): string {
  const { done, total, failed } = counts;
  const rate = elapsedMs > 0 && done > 0 ? done / (elapsedMs / 1000) : 0;
  const parts: string[] = [];
  if (total !== undefined && total > 0) {
    const pct = Math.floor(Math.min(done, total) / total * 100);
    parts.push(`${done}/${total} (${pct}%)`);
  } else parts.push(`${done} done`);
  parts.push(
    rate === 0 ? "-/s" : `${rate < 10 ? rate.toFixed(1) : Math.round(rate)}/s`,
  );
  if (total !== undefined && rate > 0 && done < total) {
    parts.push(`ETA ${formatEta((total - done) / rate)}`);
  }
  parts.push(`${failed} failed`);
  return parts.join(" · ");
}

/**
 * The progress line as a {@linkcode Reporter}: each result updates it; the
 * summary clears it for good. Log lines must go through {@linkcode wrap}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressLine } from "./progress.ts";
 * let clock = 0;
 * const out: string[] = [];
 * const timers = { set: () => 0, clear: () => {} };
 * const progress = new ProgressLine({ write: (t) => out.push(t), total: 2, now: () => clock, timers });
 * clock = 1000;
 * progress.onResult({ kind: "invalid", line: 1, text: "x", reason: "y" });
 * assert.deepEqual(out, ["\r\x1b[2K1/2 (50%) · 1.0/s · ETA 1s · 1 failed"]);
 * ```
 */
export class ProgressLine implements Reporter {
  #options: ProgressLineOptions;
  #now: () => number;
  #timers: ProgressTimers;
  #started: number;
  #counts: ProgressCounts;
  #lastDraw = -Infinity;
  #shown = "";
  #timer: unknown;
  #due = 0;
  #finished = false;

  /** Makes a progress line; nothing is drawn before the first result. */
  constructor(options: ProgressLineOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#timers = options.timers ?? REAL_TIMERS;
    this.#started = this.#now();
    this.#counts = { done: 0, failed: 0, total: options.total };
  }

  /** Sets the total once it is counted. */
  setTotal(total: number): void {
    this.#counts.total = total;
    this.#update();
  }

  /** The text of the line at `now` (ms of the clock). */
  render(now: number): string {
    const text = progressText(this.#counts, now - this.#started);
    const columns = this.#options.columns;
    return columns !== undefined && text.length >= columns
      ? text.slice(0, Math.max(0, columns - 1))
      : text;
  }

  /** Counts a result and redraws when the last redraw is old enough. */
  onResult(result: LineResult): void {
    this.#counts.done++;
    if (
      result.kind === "invalid" ||
      result.outcome?.verdict.status === "failed"
    ) this.#counts.failed++;
    this.#update();
  }

  /** Clears the line for good: the summary follows. */
  onSummary(_summary?: RunSummary): void {
    this.#finished = true;
    this.#cancel();
    this.clear();
  }

  /** Removes the line from the terminal (it comes back on the next redraw). */
  clear(): void {
    if (this.#shown === "") return;
    this.#shown = "";
    this.#options.write(CLEAR_LINE);
  }

  /**
   * A writer for log lines that share the terminal: it clears the progress
   * line, writes the log line, and puts the progress line back, up to date
   * (the log line is of a result already counted).
   */
  wrap(write: (text: string) => void): (text: string) => void {
    return (text) => {
      const shown = this.#shown;
      this.clear();
      write(text);
      if (shown !== "" && !this.#finished) {
        this.#draw(this.render(this.#now()));
      }
    };
  }

  #update(): void {
    if (this.#finished) return;
    const now = this.#now();
    const wait = this.#lastDraw + (this.#options.intervalMs ?? 100) - now;
    if (wait <= 0) this.#redraw(now);
    else if (this.#timer === undefined || this.#due > now + wait) {
      this.#schedule(wait);
    }
  }

  #redraw(now: number): void {
    this.#lastDraw = now;
    this.#draw(this.render(now));
    this.#schedule(this.#options.refreshMs ?? 1000);
  }

  #draw(text: string): void {
    this.#shown = text;
    this.#options.write(CLEAR_LINE + text);
  }

  #schedule(ms: number): void {
    this.#cancel();
    this.#due = this.#now() + ms;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      if (!this.#finished) this.#redraw(this.#now());
    }, ms);
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
