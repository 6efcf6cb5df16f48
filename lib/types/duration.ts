/**
 * Durations as the `--timeout` flag writes them: `30s`, `10m`, `1h30m`, `250ms`,
 * `0`.
 *
 * @module
 */

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * The longest delay a timer can wait: 2^31-1 ms, about 24.8 days. A longer
 * limit means no limit (a timer given more fires at once).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_TIMER_MS, parseDuration } from "./duration.ts";
 * assert(parseDuration("720h") > MAX_TIMER_MS);
 * ```
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Why `text` is not a duration, or `undefined` when it is one. A bare number
 * other than `0` has no unit and is refused rather than guessed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationProblem } from "./duration.ts";
 * assert.equal(durationProblem("1h30m"), undefined);
 * assert.equal(durationProblem("0"), undefined);
 * assert.equal(durationProblem("5"), "add a unit, e.g. 5s or 5m");
 * ```
 */
export function durationProblem(text: string): string | undefined {
  const parsed = _parse(text);
  return typeof parsed === "string" ? parsed : undefined;
}

/**
 * Parses a Go-style duration (`30s`, `10m`, `1h30m`, `250ms`, or `0`) into
 * milliseconds. A bare number other than `0` is a `SyntaxError`: it has no
 * unit.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 * assert(parseDuration("1m30s") === 90_000);
 * assert(parseDuration("0") === 0);
 * assert.throws(
 *   () => parseDuration("5"),
 *   new SyntaxError('Cannot parse duration "5": add a unit, e.g. 5s or 5m'),
 * );
 * ```
 */
export function parseDuration(text: string): number {
  const parsed = _parse(text);
  if (typeof parsed === "string") {
    throw new SyntaxError(`Cannot parse duration "${text}": ${parsed}`);
  }
  return parsed;
}

/** The duration in ms, or why there is none. */
function _parse(text: string): number | string {
  const value = text.trim();
  if (value.length === 0) return "duration is empty";
  if (/^0+(\.0+)?$/.test(value)) return 0;
  if (/^\d+(\.\d+)?$/.test(value)) {
    return `add a unit, e.g. ${value}s or ${value}m`;
  }
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
  let total = 0;
  let at = 0;
  while (at < value.length) {
    part.lastIndex = at;
    const match = part.exec(value);
    if (!match) {
      return 'expected a number with a unit such as "30s", "10m" or "1h"';
    }
    total += Number(match[1]) * UNITS[match[2]!]!;
    at = part.lastIndex;
  }
  return Math.round(total);
}

/**
 * Formats milliseconds the way the `--timeout` flag is written.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./duration.ts";
 * assert(formatDuration(90_000) === "1m30s");
 * assert(formatDuration(250) === "250ms");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${
    s || (!h && !m) ? `${s}s` : ""
  }`;
}
