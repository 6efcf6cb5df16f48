/**
 * Durations as the `--timeout` flag writes them: `30s`, `10m`, `1h30m`, `250ms`, `0`.
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
 * Parses a Go-style duration into milliseconds. A bare number is seconds.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 * assert(parseDuration("1m30s") === 90_000);
 * assert(parseDuration("0") === 0);
 * ```
 */
export function parseDuration(text: string): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
  let total = 0;
  let at = 0;
  while (at < value.length) {
    part.lastIndex = at;
    const match = part.exec(value);
    if (!match) {
      throw new SyntaxError(
        `Cannot parse duration "${text}": expected a number with a unit such as "30s", "10m" or "1h"`,
      );
    }
    total += Number(match[1]) * UNITS[match[2]!]!;
    at = part.lastIndex;
  }
  if (value.length === 0) {
    throw new SyntaxError(`Cannot parse duration "${text}": duration is empty`);
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
