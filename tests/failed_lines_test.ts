// The failed lines of a run kept as bytes, and the failed file written from
// them in input order and in chunks.

import assert from "node:assert/strict";
import { FailedLines } from "../lib/run/failed_lines.ts";
import { writeFailedList } from "../lib/run/failed_file.ts";

Deno.test("FailedLines gives lines back in input order, text as added", () => {
  const failed = new FailedLines();
  failed.push({ line: 9, text: "c.io/x y.io/x v1" });
  failed.push({ line: 2, text: "nginx # café ✓" });
  failed.push({ line: 5, text: "" });
  assert.equal(failed.length, 3);
  assert.deepEqual([...failed], [
    { line: 2, text: "nginx # café ✓" },
    { line: 5, text: "" },
    { line: 9, text: "c.io/x y.io/x v1" },
  ]);
});

Deno.test("FailedLines reads 100,000 lines added in reverse back in input order", () => {
  const failed = new FailedLines();
  for (let i = 100_000; i >= 1; i--) {
    failed.push({ line: i, text: `reg.io/a/r${i} dst.io/a/r${i} v1` });
  }
  let expected = 1;
  for (const { line, text } of failed) {
    assert.equal(line, expected);
    assert.equal(text, `reg.io/a/r${line} dst.io/a/r${line} v1`);
    expected++;
  }
  assert.equal(expected, 100_001);
});

Deno.test("writeFailedList() writes a FailedLines in input order, past one 64 KiB chunk", async () => {
  const failed = new FailedLines();
  const texts: string[] = [];
  for (let i = 1; i <= 5000; i++) texts.push(`src.io/team/image-${i} v${i}`);
  for (let i = 5000; i >= 1; i--) failed.push({ line: i, text: texts[i - 1]! });
  const file = await Deno.makeTempFile();
  try {
    assert.equal(await writeFailedList(file, failed), 5000);
    const written = await Deno.readTextFile(file);
    assert.ok(written.length > 64 * 1024);
    assert.equal(written, texts.map((text) => text + "\n").join(""));
  } finally {
    await Deno.remove(file);
  }
});
