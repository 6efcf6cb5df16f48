/**
 * The JUnit XML report that GitLab, Jenkins and GitHub test reporters read:
 * one `<testsuite>` in `<testsuites>`, one `<testcase>` per list line (name:
 * the source reference, classname: the destination registry), a `<failure>`
 * for failed and invalid lines, `<skipped>` for skipped and not-run ones.
 * Only the counts and each testcase's XML text are kept until the end.
 *
 * @module
 */

import type { LineResult } from "../verdict/validate.ts";
import { jsonLine } from "./json_report.ts";
import type { ReportOutput } from "./report_file.ts";
import type { Reporter, RunSummary } from "./reporter.ts";

/** Options of {@linkcode JunitReport}. */
export interface JunitReportOptions {
  /**
   * The test suite's name.
   *
   * @default {"hangar mirror-validate"}
   */
  name?: string;
  /**
   * Wall clock at the end of the run; the suite's `timestamp` is its start.
   *
   * @default {() => new Date()}
   */
  now?: () => Date;
}

// C0 controls other than tab, LF and CR, U+FFFE/U+FFFF, and lone surrogates
// (the `u` flag keeps pairs whole) cannot appear in XML 1.0 at all.
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]/gu;
const MARKUP = /[&<>"'\t\n\r]/g;
const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

/**
 * Makes any text safe as XML 1.0 attribute value or element content: markup
 * characters become entities (tab, LF and CR too, so attributes keep them),
 * and characters XML forbids become their escape text (`\x01`, `\uFFFE`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { xmlEscape } from "./junit_report.ts";
 * assert.equal(xmlEscape(`a<&"'>\x01\uffff`), "a&lt;&amp;&quot;&apos;&gt;\\x01\\uFFFF");
 * ```
 */
export function xmlEscape(text: string): string {
  return text.replace(FORBIDDEN, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }).replace(MARKUP, (char) => ENTITIES[char]!);
}

/**
 * One line's `<testcase>` element, indented for the suite.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { junitTestcase } from "./junit_report.ts";
 * assert.equal(
 *   junitTestcase({ kind: "invalid", line: 2, text: "a<b", reason: "bad" }),
 *   '    <testcase name="line 2" classname="invalid" time="0.000">\n' +
 *     '      <failure type="invalid" message="bad">line 2: a&lt;b</failure>\n' +
 *     "    </testcase>\n",
 * );
 * ```
 */
export function junitTestcase(result: LineResult): string {
  const line = jsonLine(result);
  const name = result.kind === "invalid" ? `line ${result.line}` : line.source!;
  const classname = result.kind === "invalid"
    ? "invalid"
    : result.entry.destination.registry;
  const open = `    <testcase name="${xmlEscape(name)}" classname="${
    xmlEscape(classname)
  }" time="${seconds(line.durationMs)}"`;
  const where = `line ${line.line}: ${line.text}`;
  const detail = [where];
  if (line.source !== undefined) {
    detail.push(`${line.source} => ${line.destination}`);
  }
  if (line.srcSpec !== undefined) {
    detail.push(`srcSpec: ${JSON.stringify(line.srcSpec)}`);
  }
  if (line.dstSpec !== undefined) {
    detail.push(`dstSpec: ${JSON.stringify(line.dstSpec)}`);
  }
  const body = xmlEscape(detail.join("\n"));
  const reason = xmlEscape(line.reason ?? "");
  switch (line.status) {
    case "passed":
      if (line.warnings === undefined) return `${open}/>\n`;
      return `${open}>\n      <system-out>${
        xmlEscape(line.warnings.join("\n"))
      }</system-out>\n    </testcase>\n`;
    case "skipped":
      return `${open}>\n      <skipped message="${reason}"/>\n    </testcase>\n`;
    case "not-run":
      return `${open}>\n      <skipped message="not run: interrupted"/>\n    </testcase>\n`;
    case "failed":
    case "invalid":
      return `${open}>\n      <failure type="${
        xmlEscape(line.kind ?? "invalid")
      }" message="${reason}">${body}</failure>\n    </testcase>\n`;
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * Collects testcases as results arrive and writes the XML document at the
 * end of the run (an interrupted run too: the suite then has the property
 * `interrupted` = `true`), then closes the output.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { JunitReport } from "./junit_report.ts";
 * import { emptyTally } from "./summary.ts";
 * let xml = "";
 * const report = new JunitReport({ write: (text) => xml += text }, {
 *   now: () => new Date(Date.UTC(2024, 0, 1, 0, 0, 1, 500)),
 * });
 * report.onResult({ kind: "invalid", line: 1, text: "x", reason: "y" });
 * report.onSummary({
 *   tally: { ...emptyTally(), invalid: 1 },
 *   durationMs: 1500,
 *   interrupted: false,
 *   selection: { architectures: ["amd64"], oses: ["linux"] },
 * });
 * assert.match(xml, /<testsuite name="hangar mirror-validate" tests="1" failures="1" errors="0" skipped="0" time="1.500" timestamp="2024-01-01T00:00:00.000Z">/);
 * ```
 */
export class JunitReport implements Reporter {
  #output: ReportOutput;
  #options: JunitReportOptions;
  #testcases: string[] = [];
  #tests = 0;
  #failures = 0;
  #skipped = 0;

  /** Makes a report that writes the document to `output` at the end. */
  constructor(output: ReportOutput, options: JunitReportOptions = {}) {
    this.#output = output;
    this.#options = options;
  }

  /** Keeps the line's testcase and counts it. */
  onResult(result: LineResult): void {
    const testcase = junitTestcase(result);
    this.#tests++;
    if (result.kind === "invalid") this.#failures++;
    else if (result.outcome === undefined) this.#skipped++;
    else if (result.outcome.verdict.status === "failed") this.#failures++;
    else if (result.outcome.verdict.status === "skipped") this.#skipped++;
    this.#testcases.push(testcase);
  }

  /** Writes the whole document and closes the output. */
  onSummary(summary: RunSummary): void {
    const { name = "hangar mirror-validate", now = () => new Date() } =
      this.#options;
    const counts = `tests="${this.#tests}" failures="${this.#failures}" ` +
      `errors="0" skipped="${this.#skipped}" time="${
        seconds(summary.durationMs)
      }"`;
    const suiteName = xmlEscape(name);
    this.#output.write(
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
        `<testsuites name="${suiteName}" ${counts}>\n` +
        `  <testsuite name="${suiteName}" ${counts} timestamp="${
          new Date(now().getTime() - summary.durationMs).toISOString()
        }">\n` +
        `    <properties>\n` +
        `      <property name="interrupted" value="${summary.interrupted}"/>\n` +
        `      <property name="architectures" value="${
          xmlEscape(summary.selection.architectures.join(","))
        }"/>\n` +
        `      <property name="oses" value="${
          xmlEscape(summary.selection.oses.join(","))
        }"/>\n` +
        `    </properties>\n`,
    );
    for (const testcase of this.#testcases) this.#output.write(testcase);
    this.#testcases = [];
    this.#output.write(`  </testsuite>\n</testsuites>\n`);
    this.#output.close?.();
  }
}
