/**
 * The list the report tests validate: the integration world's lines after a
 * comment, then a repeated pair and two invalid lines with odd bytes, and the
 * verdict each line must get.
 *
 * @module
 */

import type { JsonReportRead } from "./report_check.ts";

/** Status and kind of each list line, by line number (comment on line 1). */
export const EXPECTED: Record<number, string> = {
  2: "passed",
  3: "passed",
  4: "passed",
  5: "passed",
  6: "passed",
  7: "passed",
  8: "skipped",
  9: "failed missing",
  10: "failed mismatch",
  11: "failed mismatch",
  12: "failed mismatch",
  13: "failed mismatch",
  14: "failed missing",
  15: "invalid",
  16: "passed", // line 2 again
  17: "invalid",
  18: "invalid",
};

/** Status and kind of each line of a JSON report, by line number. */
export function verdicts(report: JsonReportRead): Record<number, string> {
  return Object.fromEntries(
    report.lines.map((l) => [l.line, [l.status, l.kind].join(" ").trim()]),
  );
}

/** The integration list with the lines the report tests add. */
export interface ReportList {
  /** Where it was written. */
  path: string;
  /** Its lines with content, by 1-based line number, as written. */
  lines: Map<number, string>;
}

const encoder = new TextEncoder();

/**
 * Writes `lines` (the integration list) to `path` after a comment, then the
 * first line again (a repeated pair), an invalid line with markup
 * characters and a control byte, and one with a byte that is not UTF-8
 * (kept in `lines` as the reports show it, `\xff`).
 */
export async function writeReportList(
  path: string,
  lines: readonly string[],
): Promise<ReportList> {
  const odd = `bad <&"'>\x01 x`;
  const parts = [
    encoder.encode(["# mirrored", ...lines, lines[0], odd, "caf"].join("\n")),
    new Uint8Array([0xff, 0x0a]),
  ];
  await Deno.writeFile(path, new Uint8Array(await new Blob(parts).bytes()));
  const byNumber = new Map<number, string>();
  [...lines, lines[0]!, odd, "caf\\xff"].forEach((text, i) =>
    byNumber.set(i + 2, text)
  );
  return { path, lines: byNumber };
}
