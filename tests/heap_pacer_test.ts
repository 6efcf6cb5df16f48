// The CLI's heap pacer: a full collection when the heap is over its limit,
// looked at once every `checkEvery` results.

import assert from "node:assert/strict";
import v8 from "node:v8";
import { createHeapPacer } from "../lib/run/heap_pacer.ts";

Deno.test("createHeapPacer() collects only on every checkEvery-th tick with the heap over its limit", () => {
  const pacer = createHeapPacer({ limitBytes: 1, checkEvery: 3 });
  pacer.tick();
  pacer.tick();
  assert.equal(pacer.collections, 0);
  pacer.tick();
  assert.equal(pacer.collections, 1);
});

Deno.test("createHeapPacer() leaves a heap under its limit alone", () => {
  const pacer = createHeapPacer({
    limitBytes: v8.getHeapStatistics().total_heap_size + 512 * 1024 * 1024,
    checkEvery: 1,
  });
  for (let i = 0; i < 10; i++) pacer.tick();
  assert.equal(pacer.collections, 0);
});

Deno.test("createHeapPacer() gives the heap back after garbage", () => {
  let garbage: string[][] = [];
  for (let i = 0; i < 200; i++) {
    garbage.push(Array.from({ length: 1000 }, (_, k) => `line ${i} ${k}`));
  }
  const before = v8.getHeapStatistics().used_heap_size;
  garbage = [];
  const pacer = createHeapPacer({ limitBytes: 1, checkEvery: 1 });
  pacer.tick();
  assert.equal(garbage.length, 0);
  assert.ok(v8.getHeapStatistics().used_heap_size < before);
});
