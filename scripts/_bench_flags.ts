/**
 * The flags every benchmark world takes (`--images`, `--delay`, `--jobs`,
 * `--rounds`), each script with its own defaults, and their check: whole
 * numbers above 0.
 *
 * @module
 */

/** The defaults of a script's world flags. */
export interface WorldDefaults {
  /** Images seeded and validated. */
  images: number;
  /** Latency of each proxy, each way, in ms. */
  delay: number;
  /** Images checked at once. */
  jobs: number;
  /** Times each row is measured. */
  rounds: number;
}

/** The measured world, from its flags. */
export interface WorldSettings {
  /** Images seeded and validated. */
  images: number;
  /** Latency of each proxy, each way, in ms. */
  delayMs: number;
  /** Images checked at once. */
  jobs: number;
  /** Times each row is measured. */
  rounds: number;
}

type StringOption = { type: "string"; default: string };

/**
 * The `parseArgs` options of the world flags with `defaults`; spread them
 * into a script's own options.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseArgs } from "node:util";
 * import { worldOptions, worldSettings } from "./_bench_flags.ts";
 * const { values } = parseArgs({
 *   args: ["--jobs", "4"],
 *   options: worldOptions({ images: 300, delay: 10, jobs: 10, rounds: 3 }),
 * });
 * assert.deepEqual(worldSettings(values), { images: 300, delayMs: 10, jobs: 4, rounds: 3 });
 * ```
 */
export function worldOptions(defaults: WorldDefaults): {
  images: StringOption;
  delay: StringOption;
  jobs: StringOption;
  rounds: StringOption;
} {
  const option = (n: number): StringOption => ({
    type: "string",
    default: String(n),
  });
  return {
    images: option(defaults.images),
    delay: option(defaults.delay),
    jobs: option(defaults.jobs),
    rounds: option(defaults.rounds),
  };
}

/**
 * The world flags' values, checked with {@linkcode positive}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { worldSettings } from "./_bench_flags.ts";
 * assert.throws(
 *   () => worldSettings({ images: "0", delay: "10", jobs: "10", rounds: "3" }),
 *   { message: 'Invalid --images "0": expected a whole number above 0' },
 * );
 * ```
 */
export function worldSettings(
  values: { images: string; delay: string; jobs: string; rounds: string },
): WorldSettings {
  return {
    images: positive("--images", values.images),
    delayMs: positive("--delay", values.delay),
    jobs: positive("--jobs", values.jobs),
    rounds: positive("--rounds", values.rounds),
  };
}

/**
 * `text` as a whole number above 0, or a RangeError naming the flag `name`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { positive } from "./_bench_flags.ts";
 * assert.equal(positive("--jobs", "10"), 10);
 * assert.throws(() => positive("--jobs", "1.5"), RangeError);
 * ```
 */
export function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Invalid ${name} "${text}": expected a whole number above 0`,
    );
  }
  return n;
}
