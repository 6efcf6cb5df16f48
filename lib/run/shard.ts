/**
 * Shards: a very large list split across machines. Shard `I/N` (1-based)
 * validates only the lines whose stable hash of the resolved
 * `source destination` pair falls in it, so that N runs together validate
 * every line exactly once and repeated pairs land in one shard. Invalid lines
 * have no pair: they all belong to shard 1, so that the N reports together
 * still hold every line of the list once.
 *
 * The hash is FNV-1a (32-bit) over the UTF-8 bytes of the pair, followed by
 * the murmur3 finaliser for an even spread; shard = hash mod N, plus 1. It
 * depends on nothing but the text, so every machine and runtime agrees.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import type { ListItem } from "../list/image_list.ts";
import { formatReference } from "../types/reference.ts";

/** One shard of a run: `index` of `count`, 1-based. */
export interface Shard {
  /** This shard, 1..count. */
  index: number;
  /** How many shards the list is split into. */
  count: number;
}

/** The variable a Kubernetes Indexed Job sets to the pod's 0-based index. */
export const SHARD_INDEX_VARIABLE = "JOB_COMPLETION_INDEX";

const encoder = new TextEncoder();

/**
 * Parses `--shard I/N` (1-based): both whole numbers, 1 <= I <= N.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseShard } from "./shard.ts";
 * assert.deepEqual(parseShard("2/3"), { index: 2, count: 3 });
 * assert.throws(() => parseShard("4/3"), /Invalid --shard "4\/3": the shard must be 1 to 3/);
 * ```
 */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) {
    throw new UsageError(
      `Invalid --shard "${text}": expected I/N with whole numbers, e.g. 1/3`,
    );
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(
      `Invalid --shard "${text}": the number of shards must be at least 1`,
    );
  }
  if (!Number.isSafeInteger(index) || index < 1 || index > count) {
    throw new UsageError(
      `Invalid --shard "${text}": the shard must be 1 to ${count}`,
    );
  }
  return { index, count };
}

/**
 * The shard of `--shards N` with the index from `JOB_COMPLETION_INDEX`
 * (0-based, as a Kubernetes Indexed Job sets it): shard index + 1 of N.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardFromEnv } from "./shard.ts";
 * assert.deepEqual(shardFromEnv("3", { JOB_COMPLETION_INDEX: "0" }), { index: 1, count: 3 });
 * assert.throws(() => shardFromEnv("3", {}), /JOB_COMPLETION_INDEX is not set/);
 * ```
 */
export function shardFromEnv(
  count: string | number,
  env: Readonly<Record<string, string | undefined>>,
): Shard {
  const countText = String(count).trim();
  const shards = /^\d+$/.test(countText) ? Number(countText) : NaN;
  if (!Number.isSafeInteger(shards) || shards < 1) {
    throw new UsageError(
      `Invalid --shards "${count}": expected a whole number of at least 1`,
    );
  }
  const raw = env[SHARD_INDEX_VARIABLE];
  if (raw === undefined || raw.trim() === "") {
    throw new UsageError(
      `--shards needs the shard index: ${SHARD_INDEX_VARIABLE} is not set (use --shard I/N outside a Kubernetes Indexed Job)`,
    );
  }
  const index = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(index) || index >= shards) {
    throw new UsageError(
      `Invalid ${SHARD_INDEX_VARIABLE} "${raw}" for --shards ${shards}: expected 0 to ${
        shards - 1
      }`,
    );
  }
  return { index: index + 1, count: shards };
}

/**
 * The 1-based shard of a list line among `count`: the hash of its resolved
 * pair, or 1 for an invalid line.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardOf } from "./shard.ts";
 * assert.equal(shardOf({ kind: "invalid", line: 1, text: "x", reason: "y" }, 4), 1);
 * ```
 */
export function shardOf(item: ListItem, count: number): number {
  if (item.kind === "invalid") return 1;
  const key = `${formatReference(item.source)} ${
    formatReference(item.destination)
  }`;
  return (stableHash(key) % count) + 1;
}

/**
 * Whether a list line belongs to a shard (see {@linkcode shardOf}).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListLine } from "../list/image_list.ts";
 * import { inShard } from "./shard.ts";
 * const item = parseListLine("a.io/x b.io/x 1", 1)!;
 * const owners = [1, 2, 3].filter((index) => inShard(item, { index, count: 3 }));
 * assert.equal(owners.length, 1);
 * ```
 */
export function inShard(item: ListItem, shard: Shard): boolean {
  return shardOf(item, shard.count) === shard.index;
}

/**
 * A 32-bit hash of a text that depends only on its UTF-8 bytes: FNV-1a,
 * then the murmur3 finaliser.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { stableHash } from "./shard.ts";
 * assert.equal(stableHash("hello"), 2290972270);
 * ```
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
