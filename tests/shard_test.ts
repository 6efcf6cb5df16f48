// Shards: the N shards of a list hold every line exactly once, repeated pairs
// land together, the spread is even, the hash is pinned, and bad --shard /
// --shards input is one clear usage error.

import assert from "node:assert/strict";
import { UsageError } from "../lib/errors.ts";
import { type ListItem, parseListLine } from "../lib/list/image_list.ts";
import {
  inShard,
  parseShard,
  type Shard,
  shardFromEnv,
  shardOf,
  stableHash,
} from "../lib/run/shard.ts";

function synthetic(count: number): ListItem[] {
  return Array.from({ length: count }, (_, i) => {
    const item = parseListLine(
      `quay.io/team${i % 7}/app-${i}:v${i % 5}`,
      i + 1,
      {
        destination: "private.io:5000",
      },
    );
    assert.ok(item?.kind === "image");
    return item;
  });
}

function shardsOf(count: number): Shard[] {
  return Array.from({ length: count }, (_, i) => ({ index: i + 1, count }));
}

Deno.test("inShard() puts each of 300 lines in exactly one of 3 shards, 60 to 140 each", () => {
  const items = synthetic(300);
  const sizes = [0, 0, 0];
  for (const item of items) {
    const owners = shardsOf(3).filter((shard) => inShard(item, shard));
    assert.equal(owners.length, 1, item.text);
    sizes[owners[0]!.index - 1]!++;
  }
  assert.equal(sizes.reduce((a, b) => a + b), 300);
  for (const size of sizes) assert.ok(size >= 60 && size <= 140, `${sizes}`);
});

Deno.test("inShard() puts repeated pairs in one shard, however the line is written", () => {
  const options = { destination: "private.io" };
  const written = [
    parseListLine("nginx:1.27", 1, options),
    parseListLine("docker.io/library/nginx:1.27", 2, options),
    parseListLine("  index.docker.io/library/nginx:1.27  # again", 3, options),
    parseListLine("docker.io/library/nginx private.io/library/nginx 1.27", 4),
  ];
  for (const count of [2, 3, 5, 16]) {
    const owners = new Set(written.map((item) => shardOf(item!, count)));
    assert.equal(owners.size, 1, `${count} shards`);
  }
});

Deno.test("inShard() puts every invalid line in shard 1", () => {
  const bad = parseListLine("a b", 9);
  assert.ok(bad?.kind === "invalid");
  assert.deepEqual(
    shardsOf(4).map((shard) => inShard(bad, shard)),
    [true, false, false, false],
  );
});

Deno.test("shardOf() is pinned: FNV-1a 32-bit with the murmur3 finaliser", () => {
  // The same values as an independent Python computation; a change here
  // would move lines between shards of runs already split.
  assert.equal(stableHash(""), 2872998923);
  assert.equal(stableHash("hello"), 2290972270);
  assert.equal(
    stableHash("docker.io/library/nginx:1 private.io/library/nginx:1"),
    2662570210,
  );
  const item = parseListLine("nginx:1", 1, { destination: "private.io" })!;
  assert.equal(shardOf(item, 7), (2662570210 % 7) + 1);
});

Deno.test("parseShard() reads I/N, 1-based", () => {
  assert.deepEqual(parseShard("1/3"), { index: 1, count: 3 });
  assert.deepEqual(parseShard("3/3"), { index: 3, count: 3 });
  assert.deepEqual(parseShard(" 2 / 10 "), { index: 2, count: 10 });
  assert.deepEqual(parseShard("1/1"), { index: 1, count: 1 });
});

Deno.test("parseShard() refuses out-of-range and malformed shards with one clear line", () => {
  const cases: [string, string][] = [
    ["0/3", 'Invalid --shard "0/3": the shard must be 1 to 3'],
    ["4/3", 'Invalid --shard "4/3": the shard must be 1 to 3'],
    ["1/0", 'Invalid --shard "1/0": the number of shards must be at least 1'],
    ["a/b", 'Invalid --shard "a/b": expected I/N with whole numbers, e.g. 1/3'],
    [
      "1/-1",
      'Invalid --shard "1/-1": expected I/N with whole numbers, e.g. 1/3',
    ],
    [
      "1.5/3",
      'Invalid --shard "1.5/3": expected I/N with whole numbers, e.g. 1/3',
    ],
    ["3", 'Invalid --shard "3": expected I/N with whole numbers, e.g. 1/3'],
    ["", 'Invalid --shard "": expected I/N with whole numbers, e.g. 1/3'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseShard(text), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, message);
      return true;
    });
  }
});

Deno.test("shardFromEnv() takes the 0-based JOB_COMPLETION_INDEX of an Indexed Job", () => {
  assert.deepEqual(shardFromEnv("3", { JOB_COMPLETION_INDEX: "0" }), {
    index: 1,
    count: 3,
  });
  assert.deepEqual(shardFromEnv(3, { JOB_COMPLETION_INDEX: "2" }), {
    index: 3,
    count: 3,
  });
});

Deno.test("shardFromEnv() refuses a missing or bad index and a bad count", () => {
  const cases: [string, Record<string, string>, string][] = [
    [
      "3",
      {},
      "--shards needs the shard index: JOB_COMPLETION_INDEX is not set (use --shard I/N outside a Kubernetes Indexed Job)",
    ],
    [
      "3",
      { JOB_COMPLETION_INDEX: "" },
      "--shards needs the shard index: JOB_COMPLETION_INDEX is not set (use --shard I/N outside a Kubernetes Indexed Job)",
    ],
    [
      "3",
      { JOB_COMPLETION_INDEX: "3" },
      'Invalid JOB_COMPLETION_INDEX "3" for --shards 3: expected 0 to 2',
    ],
    [
      "3",
      { JOB_COMPLETION_INDEX: "-1" },
      'Invalid JOB_COMPLETION_INDEX "-1" for --shards 3: expected 0 to 2',
    ],
    [
      "3",
      { JOB_COMPLETION_INDEX: "x" },
      'Invalid JOB_COMPLETION_INDEX "x" for --shards 3: expected 0 to 2',
    ],
    [
      "0",
      { JOB_COMPLETION_INDEX: "0" },
      'Invalid --shards "0": expected a whole number of at least 1',
    ],
    [
      "two",
      { JOB_COMPLETION_INDEX: "0" },
      'Invalid --shards "two": expected a whole number of at least 1',
    ],
  ];
  for (const [count, env, message] of cases) {
    assert.throws(() => shardFromEnv(count, env), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, message);
      return true;
    });
  }
});
