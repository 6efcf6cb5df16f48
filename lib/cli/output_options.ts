/**
 * The flags of `mirror-validate` that choose what is checked beyond the
 * verdict rules and where results go: `--deep`, `--referrers`,
 * `--provenance`, `--report`, `--quiet`, `--shard`/`--shards`,
 * `--hide-log-time`, and hangar's flags this command cannot honour.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { checkReportPath } from "../report/report_file.ts";
import { sameFile } from "../run/list_files.ts";
import { parseShard, type Shard, shardFromEnv } from "../run/shard.ts";
import { parseTlsVerify } from "./support.ts";

/** Report formats of `--report`. */
export const REPORT_FORMATS = ["json", "junit", "markdown"] as const;

/** One `--report FORMAT=FILE`. */
export interface ReportTarget {
  /** The format. */
  format: (typeof REPORT_FORMATS)[number];
  /** The file, `-` for standard output. */
  path: string;
}

/** The checked output and check options. */
export interface OutputOptions {
  /** Checks beyond the verdict rules. */
  extra: { deep: boolean; referrers: boolean; provenance: boolean };
  /** Reports to write. */
  reports: ReportTarget[];
  /** Only FAILED, invalid and WARN lines and the summary. */
  quiet: boolean;
  /** Log lines without the time. */
  hideLogTime: boolean;
  /** The shard of the list this run validates. */
  shard?: Shard;
}

/** The flag values {@linkcode outputOptions} reads. */
export interface OutputFlags {
  deep?: boolean;
  referrers?: boolean;
  provenance?: string | boolean;
  report?: string[];
  quiet?: boolean;
  hideLogTime?: boolean;
  shard?: string | undefined;
  shards?: string | undefined;
  overwrite?: string | boolean | undefined;
  removeSignatures?: string | boolean | undefined;
  sigstorePrivateKey?: string | undefined;
  sigstorePassphraseFile?: string | undefined;
  /** The list (`-f`): a report may not overwrite it. */
  file?: string;
  /** The snapshot read (`--source-snapshot`): a report may not overwrite it. */
  sourceSnapshot?: string | undefined;
}

/** Why each hangar flag that this command cannot honour is refused. */
const REFUSED: readonly (readonly [keyof OutputFlags, string])[] = [
  [
    "overwrite",
    "--overwrite is a flag of hangar mirror (copying): a validation never writes to a registry",
  ],
  [
    "removeSignatures",
    "--remove-signatures is a flag of hangar mirror (copying); to check that signatures were copied, use --referrers",
  ],
  [
    "sigstorePrivateKey",
    "--sigstore-private-key signs while copying; verify signatures with cosign or hangar sign validate, and check they were mirrored with --referrers",
  ],
  [
    "sigstorePassphraseFile",
    "--sigstore-passphrase-file goes with --sigstore-private-key, which this command does not take (see --referrers)",
  ],
];

/**
 * Checks the output and check flags; the first wrong value is a
 * {@linkcode UsageError}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { outputOptions } from "./output_options.ts";
 * const options = outputOptions(
 *   { report: ["json=-"], shard: "2/3", provenance: true },
 *   { env: {}, failedFile: "failed.txt" },
 * );
 * assert.deepEqual(options.reports, [{ format: "json", path: "-" }]);
 * assert.deepEqual(options.shard, { index: 2, count: 3 });
 * assert.equal(options.extra.provenance, true);
 * assert.throws(
 *   () => outputOptions({ report: ["xml=r.xml"] }, { env: {}, failedFile: "f" }),
 *   { message: 'Invalid --report "xml=r.xml": unknown format "xml" (use json, junit or markdown)' },
 * );
 * ```
 */
export function outputOptions(
  flags: OutputFlags,
  context: { env: Record<string, string | undefined>; failedFile: string },
): OutputOptions {
  for (const [flag, reason] of REFUSED) {
    if (flags[flag] !== undefined) throw new UsageError(reason);
  }
  let provenance: boolean;
  try {
    provenance = parseTlsVerify("--provenance", flags.provenance) ?? false;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const reports = (flags.report ?? []).map(parseReport);
  const inputs = [
    [flags.file, "it is the image list given to -f"],
    [flags.sourceSnapshot, "it is the snapshot given to --source-snapshot"],
    [context.failedFile, "it is also the failed file (-o)"],
  ] as const;
  const seen: string[] = [];
  for (const { path } of reports) {
    if (path === "-") {
      if (seen.includes("-")) {
        throw new UsageError("Only one --report can go to standard output (-)");
      }
      seen.push(path);
      continue;
    }
    for (const [input, reason] of inputs) {
      if (input !== undefined && input !== "-" && sameFile(path, input)) {
        throw new UsageError(`Cannot write report "${path}": ${reason}`);
      }
    }
    if (seen.some((other) => other !== "-" && sameFile(path, other))) {
      throw new UsageError(`Cannot write report "${path}": given twice`);
    }
    seen.push(path);
    checkReportPath(path);
  }
  if (flags.shard !== undefined && flags.shards !== undefined) {
    throw new UsageError(
      "Give --shard I/N or --shards N (with JOB_COMPLETION_INDEX), not both",
    );
  }
  const shard = flags.shard !== undefined
    ? parseShard(flags.shard)
    : flags.shards !== undefined
    ? shardFromEnv(flags.shards, context.env)
    : undefined;
  return {
    extra: {
      deep: flags.deep ?? false,
      referrers: flags.referrers ?? false,
      provenance,
    },
    reports,
    quiet: flags.quiet ?? false,
    hideLogTime: flags.hideLogTime ?? false,
    ...(shard ? { shard } : {}),
  };
}

function parseReport(value: string): ReportTarget {
  const equals = value.indexOf("=");
  if (equals < 0) {
    throw new UsageError(
      `Invalid --report "${value}": expected FORMAT=FILE, e.g. json=report.json or junit=-`,
    );
  }
  const format = value.slice(0, equals).trim().toLowerCase();
  const path = value.slice(equals + 1);
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `Invalid --report "${value}": unknown format "${format}" (use json, junit or markdown)`,
    );
  }
  if (path === "") {
    throw new UsageError(
      `Invalid --report "${value}": no file after "=" (use - for standard output)`,
    );
  }
  return { format: format as ReportTarget["format"], path };
}
