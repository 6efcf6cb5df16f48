/**
 * The `--report` reports of a run, loaded only when a flag asks for them.
 * Private helper of run_commands.ts.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import type { Reporter } from "../report/reporter.ts";
import type { CliIo } from "./io.ts";
import type { ReportTarget } from "./output_options.ts";

/**
 * The `--report` reporters; a report that cannot be written is kept as an
 * error for the end of the run instead of stopping the others.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { GuardedReports } from "./_guarded_reports.ts";
 * const reports = await GuardedReports.open([], { stdout: () => {} } as never);
 * assert.deepEqual([reports.reporters, reports.errors], [[], []]);
 * ```
 */
export class GuardedReports {
  reporters: Reporter[] = [];
  errors: string[] = [];
  /** The reports written to files (not to standard output). */
  #files: { discard(): void }[] = [];

  /** Loads the report modules the targets need, then opens the reports. */
  static async open(
    targets: ReportTarget[],
    io: CliIo,
  ): Promise<GuardedReports> {
    const reports = new GuardedReports();
    if (targets.length === 0) return reports;
    const { openReport, ReportFile } = await import(
      "../report/report_file.ts"
    );
    const formats = new Set(targets.map((target) => target.format));
    const [json, junit, markdown] = await Promise.all([
      formats.has("json") ? import("../report/json_report.ts") : undefined,
      formats.has("junit") ? import("../report/junit_report.ts") : undefined,
      formats.has("markdown")
        ? import("../report/markdown_report.ts")
        : undefined,
    ]);
    reports.reporters = targets.map((target) => {
      const output = openReport(target.path, { stdout: io.stdout });
      if (output instanceof ReportFile) reports.#files.push(output);
      const report = target.format === "json"
        ? new json!.JsonReport(output)
        : target.format === "junit"
        ? new junit!.JunitReport(output, { now: io.now })
        : new markdown!.MarkdownReport(output);
      return {
        onResult: (result) => report.onResult(result),
        onSummary: (summary) => {
          try {
            report.onSummary(summary);
          } catch (error) {
            reports.errors.push(errorMessage(error));
          }
        },
      };
    });
    return reports;
  }

  /** Drops the reports' temporary files (the run ended without a summary). */
  discard(): void {
    for (const file of this.#files) file.discard();
  }
}
