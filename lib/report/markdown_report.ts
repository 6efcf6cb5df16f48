/**
 * The markdown report, for a CI job page (`$GITHUB_STEP_SUMMARY`): a table
 * of counts, then the failures grouped by kind with the platforms compared,
 * then the invalid lines. Only the rows' text is kept until the end, and at
 * most `maxRows` of them.
 *
 * @module
 */

import { FAILURE_KINDS } from "../errors.ts";
import { formatPlatform, samePlatform } from "../types/platform.ts";
import type { PlatformSpec } from "../verdict/platform_specs.ts";
import type { LineResult } from "../verdict/validate.ts";
import { jsonLine } from "./json_report.ts";
import type { ReportOutput } from "./report_file.ts";
import type { Reporter, RunSummary } from "./reporter.ts";
import { tallyTotal } from "./summary.ts";

/** Options of {@linkcode MarkdownReport}. */
export interface MarkdownReportOptions {
  /**
   * Most failure and invalid rows shown; the rest are counted.
   *
   * @default {1000}
   */
  maxRows?: number;
}

// C0 controls other than tab, LF and CR, and DEL: shown as their escape text.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/**
 * Makes text safe in a markdown table cell: `|` and markdown/HTML syntax
 * escaped, line breaks as `<br>`, control characters as their escape text
 * (`\x01`, as the JUnit report writes them).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { markdownCell } from "./markdown_report.ts";
 * assert.equal(markdownCell("a|b\nc <i>"), "a\\|b<br>c &lt;i&gt;");
 * assert.equal(markdownCell("x\x01y\x1b"), "x\\\\x01y\\\\x1b");
 * ```
 */
export function markdownCell(text: string): string {
  return text
    .replace(
      CONTROL,
      (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`,
    )
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]#~|]/g, (char) => `\\${char}`)
    .replace(/\r\n|\r|\n/g, "<br>");
}

/**
 * The platforms compared, one a line: `linux/amd64: SRC → DST` with short
 * digests, `missing` where the destination has no entry for the platform.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { platformDetail } from "./markdown_report.ts";
 * const amd64 = { architecture: "amd64", os: "linux" };
 * assert.equal(
 *   platformDetail([{ digest: "sha256:" + "a".repeat(64), platform: amd64 }], []),
 *   "linux/amd64: sha256:aaaaaaaaaaaa → missing",
 * );
 * ```
 */
export function platformDetail(
  srcSpec: readonly PlatformSpec[] | undefined,
  dstSpec: readonly PlatformSpec[] | undefined,
): string {
  const short = (digest: string) => digest.slice(0, 19);
  const lines: string[] = [];
  for (const src of srcSpec ?? []) {
    const name = src.platform ? formatPlatform(src.platform) : "?";
    const dst = src.platform === undefined
      ? undefined
      : dstSpec?.find((d) =>
        d.platform !== undefined && samePlatform(src.platform!, d.platform)
      );
    const to = dst ? short(dst.digest) : dstSpec ? "missing" : "not read";
    lines.push(`${name}: ${short(src.digest)} → ${to}`);
  }
  if (srcSpec === undefined && dstSpec !== undefined) {
    for (const dst of dstSpec) {
      const name = dst.platform ? formatPlatform(dst.platform) : "?";
      lines.push(`${name}: destination ${short(dst.digest)}`);
    }
  }
  return lines.join("\n");
}

/**
 * Writes the markdown summary at the end of the run, then closes the output.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MarkdownReport } from "./markdown_report.ts";
 * import { emptyTally } from "./summary.ts";
 * let text = "";
 * const report = new MarkdownReport({ write: (t) => text += t });
 * report.onResult({ kind: "invalid", line: 3, text: "a b", reason: "bad" });
 * report.onSummary({
 *   tally: { ...emptyTally(), invalid: 1 },
 *   durationMs: 20,
 *   interrupted: false,
 *   selection: { architectures: ["amd64"], oses: ["linux"] },
 * });
 * assert.match(text, /\n\| 3 \| a b \| bad \|\n/);
 * ```
 */
export class MarkdownReport implements Reporter {
  #output: ReportOutput;
  #maxRows: number;
  #rows = 0;
  #failures = new Map<string, string[]>();
  #invalid: string[] = [];
  #dropped = 0;

  /** Makes a report that writes to `output` at the end of the run. */
  constructor(output: ReportOutput, options: MarkdownReportOptions = {}) {
    this.#output = output;
    this.#maxRows = options.maxRows ?? 1000;
  }

  /** Keeps a row for a failed or invalid line. */
  onResult(result: LineResult): void {
    const line = jsonLine(result);
    if (line.status !== "failed" && line.status !== "invalid") return;
    if (this.#rows >= this.#maxRows) {
      this.#dropped++;
      return;
    }
    this.#rows++;
    const cell = markdownCell;
    if (line.status === "invalid") {
      this.#invalid.push(
        `| ${line.line} | ${cell(line.text)} | ${cell(line.reason ?? "")} |`,
      );
      return;
    }
    const kind = line.kind ?? "internal";
    const rows = this.#failures.get(kind) ?? [];
    rows.push(
      `| ${line.line} | ${cell(line.source!)} | ${cell(line.destination!)} | ${
        cell(line.reason ?? "")
      } | ${cell(platformDetail(line.srcSpec, line.dstSpec))} |`,
    );
    this.#failures.set(kind, rows);
  }

  /** Writes the document and closes the output. */
  onSummary(summary: RunSummary): void {
    const { tally } = summary;
    const total = tallyTotal(tally);
    const out: string[] = [];
    const bad = tally.failed + tally.invalid;
    out.push(
      `## Mirror validation: ${
        summary.interrupted
          ? "interrupted"
          : bad === 0
          ? "nothing failed"
          : `${bad} of ${total} lines failed`
      }`,
      "",
    );
    if (summary.interrupted) {
      out.push(
        "> [!WARNING]",
        "> The run was interrupted: not-run lines were not validated.",
        "",
      );
    }
    out.push(
      "| lines | passed | skipped | failed | invalid | not run | time |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      `| ${total} | ${tally.passed} | ${tally.skipped} | ${tally.failed} | ${tally.invalid} | ${tally.notRun} | ${
        (summary.durationMs / 1000).toFixed(3)
      }s |`,
      "",
      `Platforms: ${markdownCell(summary.selection.oses.join(","))} × ${
        markdownCell(summary.selection.architectures.join(","))
      }`,
      "",
    );
    const kinds = [...this.#failures.keys()].sort((a, b) =>
      rank(a) - rank(b) || a.localeCompare(b)
    );
    if (kinds.length > 0) out.push("### Failed", "");
    for (const kind of kinds) {
      const rows = this.#failures.get(kind)!;
      out.push(
        `#### \`${kind}\` (${rows.length})`,
        "",
        "| line | source | destination | reason | platforms |",
        "| ---: | --- | --- | --- | --- |",
        ...rows,
        "",
      );
    }
    if (this.#invalid.length > 0) {
      out.push(
        `### Invalid lines (${this.#invalid.length})`,
        "",
        "| line | text | reason |",
        "| ---: | --- | --- |",
        ...this.#invalid,
        "",
      );
    }
    if (this.#dropped > 0) {
      out.push(
        `${this.#dropped} more failed or invalid lines are not shown (the JSON report has them all).`,
        "",
      );
    }
    this.#output.write(out.join("\n"));
    this.#output.close?.();
  }
}

function rank(kind: string): number {
  const index = (FAILURE_KINDS as readonly string[]).indexOf(kind);
  return index < 0 ? FAILURE_KINDS.length : index;
}
