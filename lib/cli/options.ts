/**
 * Turns the flag values of `mirror-validate` into checked options, in the
 * order the checks have always run: jobs, timeout, TLS, selection, projects,
 * certificates, registries, the failed file, then the list is opened. The
 * first wrong value is a {@linkcode UsageError}.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import type { ListOptions } from "../list/image_list.ts";
import { durationProblem, parseDuration } from "../types/duration.ts";
import {
  checkNotList,
  checkWritable,
  listName,
  openList,
  STANDARD_INPUT,
} from "../run/list_files.ts";
import {
  checkCertDir,
  checkProject,
  checkRegistryName,
  checkSelection,
  parseTlsVerify,
  splitList,
} from "./support.ts";
import type { ValidateFlags } from "./validate_flags.ts";
import { type OfflineSource, openOfflineSource } from "./offline_source.ts";
import { type OutputOptions, outputOptions } from "./output_options.ts";

/** The checked options of one `mirror-validate` run. */
export interface ValidateOptions extends OutputOptions {
  /** The list's name in messages (`(standard input)` for `-f -`). */
  listName: string;
  /** The opened list. */
  list: ReadableStream<Uint8Array>;
  /** Registry and project overrides for list lines. */
  listOptions: ListOptions;
  /** Architectures to check. */
  architectures: string[];
  /** Operating systems to check. */
  oses: string[];
  /** Images validated at once, within 1..20. */
  jobs: number;
  /** Limit for one image, in ms; 0 for none. */
  timeoutMs: number;
  /** Whether TLS is verified, for both sides. */
  tlsVerify: boolean;
  /** Side-specific TLS verification, overriding `tlsVerify`. */
  tlsVerifyBySide: { source?: boolean; destination?: boolean };
  /** Directory of CAs and client certificates for every registry. */
  certDir?: string;
  /** Where the failed lines go (`-o`). */
  failedFile: string;
  /** Whether debug lines are logged. */
  debug: boolean;
  /**
   * The source side when it is not the source registry: a snapshot
   * (`--source-snapshot`) or an OCI layout (`--source-layout`).
   */
  offlineSource?: OfflineSource;
}

/** Options of {@linkcode validateOptions}. */
export interface ValidateOptionsOptions {
  /** Environment variables (`SOURCE_REGISTRY`, `DEST_REGISTRY`). */
  env: Record<string, string | undefined>;
  /** Receives a warning about a value that was corrected (`-j 50`). */
  warn: (message: string) => void;
  /**
   * What `-f -` reads.
   *
   * @default {Deno.stdin.readable}
   */
  stdin?: ReadableStream<Uint8Array>;
}

/**
 * Checks the flags and opens the list.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateOptions } from "./options.ts";
 * import { validateCommand } from "./validate_command.ts";
 * import { UsageError } from "../errors.ts";
 * const flags = (args: string[]) =>
 *   validateCommand("mirror-validate").parse(args, { from: "user" }).opts();
 * const warnings: string[] = [];
 * const stdin = new Blob(["nginx\n"]).stream();
 * const options = await validateOptions(
 *   flags(["-f", "-", "-j", "50", "-o", "/dev/null"]),
 *   { env: { DEST_REGISTRY: "r.io" }, warn: (m) => warnings.push(m), stdin },
 * );
 * assert.equal(options.jobs, 20);
 * assert.deepEqual(warnings, ["--jobs 50 is out of range 1..20: using 20"]);
 * assert.equal(options.listOptions.destination, "r.io");
 * await options.list.cancel();
 * await assert.rejects(
 *   validateOptions(flags(["-f", "-", "--timeout", "5"]), { env: {}, warn: () => {} }),
 *   new UsageError('Invalid --timeout "5": add a unit, e.g. 5s or 5m'),
 * );
 * ```
 */
export async function validateOptions(
  flags: ValidateFlags,
  options: ValidateOptionsOptions,
): Promise<ValidateOptions> {
  let jobs = Number(flags.jobs);
  if (!Number.isInteger(jobs)) {
    throw new UsageError(`Invalid --jobs "${flags.jobs}": not a whole number`);
  }
  if (jobs < 1 || jobs > 20) {
    const clamped = Math.min(20, Math.max(1, jobs));
    options.warn(`--jobs ${jobs} is out of range 1..20: using ${clamped}`);
    jobs = clamped;
  }
  const timeoutProblem = durationProblem(flags.timeout);
  if (timeoutProblem !== undefined) {
    throw new UsageError(
      `Invalid --timeout "${flags.timeout}": ${timeoutProblem}`,
    );
  }
  let tlsVerify: boolean;
  let tlsVerifyBySide: { source?: boolean; destination?: boolean };
  try {
    tlsVerify = parseTlsVerify("--tls-verify", flags.tlsVerify) ?? true;
    tlsVerifyBySide = {
      source: parseTlsVerify("--src-tls-verify", flags.srcTlsVerify),
      destination: parseTlsVerify("--dest-tls-verify", flags.destTlsVerify),
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const architectures = splitList(flags.arch);
  const oses = splitList(flags.os);
  checkSelection(architectures, oses);
  checkProject("--default-project", flags.defaultProject);
  checkProject("--source-project", flags.sourceProject);
  checkProject("--destination-project", flags.destinationProject);
  await checkCertDir(flags.certDir);
  const { env } = options;
  const source = checkedRegistry("--source", flags.source, env.SOURCE_REGISTRY);
  const destination = checkedRegistry(
    "--destination",
    flags.destination,
    env.DEST_REGISTRY,
  );
  const failedFile = flags.failed ?? flags.output;
  // For -f -, standard input is what the shell redirected (`< list.txt`).
  const listPath = flags.file !== "-"
    ? flags.file
    : options.stdin
    ? undefined
    : STANDARD_INPUT;
  await checkNotList(listPath, failedFile);
  await checkWritable(failedFile);
  const output = outputOptions(flags, { env, failedFile });
  const offlineSource = await openOfflineSource(flags, {
    architectures,
    oses,
  }, { referrers: output.extra.referrers });
  const list = await openList(
    flags.file,
    options.stdin ? { stdin: options.stdin } : {},
  );
  return {
    listName: listName(flags.file),
    list,
    listOptions: {
      ...(source ? { source } : {}),
      ...(destination ? { destination } : {}),
      defaultProject: flags.defaultProject,
      ...(flags.sourceProject ? { sourceProject: flags.sourceProject } : {}),
      ...(flags.destinationProject
        ? { destinationProject: flags.destinationProject }
        : {}),
    },
    architectures,
    oses,
    jobs,
    timeoutMs: parseDuration(flags.timeout),
    tlsVerify,
    tlsVerifyBySide,
    ...(flags.certDir !== undefined ? { certDir: flags.certDir } : {}),
    failedFile,
    debug: flags.debug,
    ...(offlineSource ? { offlineSource } : {}),
    ...output,
  };
}

/** The flag's registry, else the variable's (empty counts as unset), checked. */
function checkedRegistry(
  flag: string,
  value: string | undefined,
  variable: string | undefined,
): string | undefined {
  const registry = value ?? (variable || undefined);
  if (registry === undefined) return undefined;
  const problem = checkRegistryName(registry);
  if (problem) {
    throw new UsageError(`Invalid ${flag} "${registry}": ${problem}`);
  }
  return registry;
}
