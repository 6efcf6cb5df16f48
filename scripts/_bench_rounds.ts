/**
 * Repeated measurement for the benchmarks: runs interleaved round by round
 * (so that a slow moment of the machine hits both sides of a ratio), the
 * run with the median wall time, and the time to the first request of the
 * CLI as run from source and as the bundle users can be given.
 * Private to the benchmarks (`scripts/bench.ts`, `scripts/bench_hub.ts`).
 *
 * @module
 */

import { bundleTo } from "./bundle.ts";
import { firstRequestMs } from "./_bench_hub_parts.ts";

/**
 * The run whose wall time is the median (the upper one of an even count),
 * so that every other column of a table row comes from one real run.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { medianRun } from "./_bench_rounds.ts";
 * const runs = [{ wallMs: 30, id: "a" }, { wallMs: 10, id: "b" }, { wallMs: 20, id: "c" }];
 * assert.equal(medianRun(runs).id, "c");
 * assert.equal(medianRun([{ wallMs: 5 }, { wallMs: 7 }]).wallMs, 7);
 * ```
 */
export function medianRun<T extends { wallMs: number }>(runs: T[]): T {
  if (runs.length === 0) throw new RangeError("No run to take a median of");
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Runs every measurement once per round, in the given order, for `rounds`
 * rounds, and returns each one's runs in round order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { interleaved } from "./_bench_rounds.ts";
 * const order: string[] = [];
 * const runs = await interleaved(2, {
 *   bare: () => Promise.resolve(order.push("bare")),
 *   tool: () => Promise.resolve(order.push("tool")),
 * });
 * assert.deepEqual(order, ["bare", "tool", "bare", "tool"]);
 * assert.deepEqual(runs, { bare: [1, 3], tool: [2, 4] });
 * ```
 */
export async function interleaved<K extends string, T>(
  rounds: number,
  measurements: Record<K, () => Promise<T>>,
): Promise<Record<K, T[]>> {
  const names = Object.keys(measurements) as K[];
  const runs = Object.fromEntries(
    names.map((name): [K, T[]] => [name, []]),
  ) as Record<K, T[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) runs[name].push(await measurements[name]());
  }
  return runs;
}

/** Times to the first request, in ms (medians). */
export interface FirstRequests {
  /** A Deno script that only reads the list and connects: the floor. */
  floor: number;
  /** `deno run -A cli.ts` (from source, module by module). */
  source: number;
  /** `deno run -A hangar.js`, the bundle of `deno task bundle`. */
  bundle: number;
}

/**
 * The time from spawn to the first connection of `mirror-validate` on a
 * one-line list, from source and as a bundle written into `dir` (built as
 * `deno task bundle` builds it, run without deno.json as a user would), and of a script that only connects (the floor of this
 * machine at this moment), the median of `runs` each after a warm-up run.
 */
export async function firstRequests(
  { root, dir, runs }: { root: string; dir: string; runs: number },
): Promise<FirstRequests> {
  const deno = Deno.execPath();
  const bundle = `${dir}/hangar.js`;
  await bundleTo(bundle, root.endsWith("/") ? root : `${root}/`);
  const floor = `${dir}/connect_only.js`;
  await Deno.writeTextFile(
    floor,
    `const list = Deno.readTextFileSync(Deno.args[Deno.args.indexOf("-f") + 1]);
await fetch("http://" + list.split("/")[0] + "/v2/").catch(() => {});
`,
  );
  return {
    floor: await firstRequestMs(
      [deno, "run", "-A", "--no-config", floor],
      runs,
    ),
    source: await firstRequestMs([deno, "run", "-A", `${root}/cli.ts`], runs),
    bundle: await firstRequestMs(
      [deno, "run", "-A", "--no-config", bundle],
      runs,
    ),
  };
}
