// readListLines()'s byte decoding: UTF-16 lists (by BOM) whatever the chunk
// sizes, and lines that are not UTF-8 shown with their bad bytes escaped.

import { deepStrictEqual } from "node:assert/strict";
import { readListLines } from "../lib/list/image_list.ts";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function utf16(text: string, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 0xfeff, littleEndian);
  for (let i = 0; i < text.length; i++) {
    view.setUint16(2 + i * 2, text.charCodeAt(i), littleEndian);
  }
  return bytes;
}

const TEXT = "nginx:1\r\n# 日本語 😀\n\nquay.io/a/b q.io/c/d 2";
const LINES = [
  { line: 1, text: "nginx:1" },
  { line: 2, text: "# 日本語 😀" },
  { line: 3, text: "" },
  { line: 4, text: "quay.io/a/b q.io/c/d 2" },
];

Deno.test("readListLines() decodes UTF-16LE and UTF-16BE lists, in any chunk sizes", async () => {
  for (const littleEndian of [true, false]) {
    const bytes = utf16(TEXT, littleEndian);
    deepStrictEqual(
      await collect(readListLines(ReadableStream.from([bytes]))),
      LINES,
    );
    const oneByte = [...bytes].map((b) => new Uint8Array([b]));
    deepStrictEqual(
      await collect(readListLines(ReadableStream.from(oneByte))),
      LINES,
    );
  }
});

Deno.test("readListLines() gives one empty line for a list that is only a BOM", async () => {
  for (
    const bom of [[0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]]
  ) {
    deepStrictEqual(
      await collect(readListLines(ReadableStream.from([new Uint8Array(bom)]))),
      [{ line: 1, text: "" }],
    );
  }
});

Deno.test("readListLines() shows each invalid UTF-8 byte as \\xNN and keeps valid characters", async () => {
  const enc = new TextEncoder();
  const body = new Uint8Array([
    ...enc.encode("caf"),
    0xe9, // Latin-1 é
    ...enc.encode(" 😀 "),
    0xc0, // overlong lead byte
    0xaf,
    ...enc.encode(" ok "),
    0xf0, // a 4-byte character cut short
    0x9f,
    0x98,
    0x0a,
    ...enc.encode("next"),
  ]);
  deepStrictEqual(await collect(readListLines(ReadableStream.from([body]))), [
    {
      line: 1,
      text: "caf\\xe9 😀 \\xc0\\xaf ok \\xf0\\x9f\\x98",
      error: "line is not valid UTF-8",
    },
    { line: 2, text: "next" },
  ]);
});
