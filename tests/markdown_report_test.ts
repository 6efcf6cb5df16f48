// The markdown report for a CI job page: the counts table, the failures
// grouped by kind with the platforms compared, the invalid lines, and cells
// that survive `|`, line breaks and HTML in list text.

import assert from "node:assert/strict";
import { FAILURE_KINDS } from "../lib/errors.ts";
import {
  markdownCell,
  MarkdownReport,
  platformDetail,
} from "../lib/report/markdown_report.ts";
import type { LineResult } from "../lib/verdict/validate.ts";
import {
  AMD64,
  ARM64,
  DIGEST_A,
  everyStatus,
  failed,
  invalid,
  summaryOf,
} from "./support/line_results.ts";

function markdown(
  results: LineResult[],
  options: { interrupted?: boolean; maxRows?: number } = {},
) {
  let text = "";
  let closed = 0;
  const report = new MarkdownReport({
    write: (chunk) => text += chunk,
    close: () => closed++,
  }, { maxRows: options.maxRows });
  for (const result of results) report.onResult(result);
  report.onSummary(summaryOf(results, options));
  assert.equal(closed, 1);
  return text.split("\n");
}

/** The rows of the table that follows `heading`, as arrays of cells. */
function tableAfter(lines: string[], heading: string): string[][] {
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `no heading "${heading}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line.slice(2, -2).split(/(?<!\\) \| /),
    );
  }
  return rows;
}

Deno.test("MarkdownReport starts with the counts table", () => {
  const results = everyStatus();
  const lines = markdown(results);
  assert.equal(
    lines[0],
    `## Mirror validation: ${
      FAILURE_KINDS.length + 2
    } of ${results.length} lines failed`,
  );
  assert.deepEqual(tableAfter(lines, lines[0]!), [
    ["lines", "passed", "skipped", "failed", "invalid", "not run", "time"],
    ["---:", "---:", "---:", "---:", "---:", "---:", "---:"],
    [
      String(results.length),
      "2",
      "1",
      String(FAILURE_KINDS.length),
      "2",
      "1",
      "1.204s",
    ],
  ]);
  assert.ok(lines.includes("Platforms: linux × amd64,arm64"));
});

Deno.test("MarkdownReport groups failures by kind in the order of FAILURE_KINDS", () => {
  const lines = markdown(everyStatus());
  const headings = lines.filter((l) => l.startsWith("#### "));
  assert.deepEqual(
    headings,
    FAILURE_KINDS.map((kind) => `#### \`${kind}\` (1)`),
  );
  assert.deepEqual(tableAfter(lines, "#### `mismatch` (1)"), [
    ["line", "source", "destination", "reason", "platforms"],
    ["---:", "---", "---", "---", "---"],
    [
      "4",
      "src.io/team/app4:1.0",
      "dst.io:5000/team/app4:1.0",
      "platform linux/arm64: digest differs",
      "linux/amd64: sha256:aaaaaaaaaaaa → sha256:aaaaaaaaaaaa<br>linux/arm64: sha256:bbbbbbbbbbbb → sha256:cccccccccccc",
    ],
  ]);
  const line = 10 + FAILURE_KINDS.filter((k) => k !== "mismatch")
    .indexOf("timeout");
  assert.deepEqual(tableAfter(lines, "#### `timeout` (1)")[2], [
    String(line),
    `src.io/team/app${line}:1.0`,
    `dst.io:5000/team/app${line}:1.0`,
    "timeout happened",
    "",
  ]);
});

Deno.test("MarkdownReport lists invalid lines with escaped cells", () => {
  const lines = markdown([
    invalid(3, "a|b <script>", "two\nlines | here"),
    failed(4, "missing", "no such *manifest*_"),
  ]);
  assert.deepEqual(tableAfter(lines, "### Invalid lines (1)"), [
    ["line", "text", "reason"],
    ["---:", "---", "---"],
    ["3", "a\\|b &lt;script&gt;", "two<br>lines \\| here"],
  ]);
  assert.equal(
    tableAfter(lines, "#### `missing` (1)")[2]![3],
    "no such \\*manifest\\*\\_",
  );
  for (const line of lines.filter((l) => l.startsWith("| 3 "))) {
    assert.equal(line.split(/(?<!\\)\|/).length, 5);
  }
});

Deno.test("MarkdownReport says when nothing failed and when the run was interrupted", () => {
  const passed = everyStatus().slice(0, 3);
  assert.equal(markdown(passed)[0], "## Mirror validation: nothing failed");
  const interrupted = markdown(passed, { interrupted: true });
  assert.equal(interrupted[0], "## Mirror validation: interrupted");
  assert.equal(interrupted[2], "> [!WARNING]");
  assert.ok(!interrupted.some((l) => l.startsWith("### ")));
});

Deno.test("MarkdownReport keeps at most maxRows rows and counts the rest", () => {
  const results = Array.from({ length: 5 }, (_, i) => failed(i + 1, "missing"));
  const lines = markdown(results, { maxRows: 2 });
  assert.equal(tableAfter(lines, "#### `missing` (2)").length, 4);
  assert.ok(
    lines.includes(
      "3 more failed or invalid lines are not shown (the JSON report has them all).",
    ),
  );
});

Deno.test("platformDetail() pairs source and destination platforms", () => {
  const src = [{ digest: DIGEST_A, platform: AMD64 }, {
    digest: DIGEST_A,
    platform: ARM64,
  }];
  assert.equal(
    platformDetail(src, [{ digest: DIGEST_A, platform: AMD64 }]),
    "linux/amd64: sha256:aaaaaaaaaaaa → sha256:aaaaaaaaaaaa\nlinux/arm64: sha256:aaaaaaaaaaaa → missing",
  );
  assert.equal(
    platformDetail(src.slice(0, 1), undefined),
    "linux/amd64: sha256:aaaaaaaaaaaa → not read",
  );
  assert.equal(platformDetail(undefined, undefined), "");
});

Deno.test("markdownCell() escapes pipes, line breaks, HTML and emphasis", () => {
  assert.equal(markdownCell("a|b"), "a\\|b");
  assert.equal(markdownCell("a\r\nb\nc\rd"), "a<br>b<br>c<br>d");
  assert.equal(markdownCell("<b>&"), "&lt;b&gt;&amp;");
  assert.equal(markdownCell("my_repo`x`[y]"), "my\\_repo\\`x\\`\\[y\\]");
});
