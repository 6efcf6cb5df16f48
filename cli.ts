/**
 * The `hangar` command line: `hangar mirror-validate` (also `hangar mirror
 * validate`). Turns flags into options, runs the engine, turns results into
 * output, the failed file and an exit code.
 *
 * @module
 */

import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import type { FindCertificatesOptions } from "./lib/certs.ts";
import { createClientFactory } from "./lib/clients.ts";
import type { CredentialSources } from "./lib/credentials.ts";
import { durationProblem, parseDuration } from "./lib/duration.ts";
import type { Fetch } from "./lib/fetch.ts";
import { NO_DESTINATION, readImageList } from "./lib/image_list.ts";
import {
  countResult,
  emptyTally,
  failedFileLine,
  formatLogLine,
  type LogLine,
  resultLines,
  summaryLine,
} from "./lib/report.ts";
import { type LineResult, validateList } from "./lib/validate.ts";
import {
  allSkippedMessage,
  checkCertDir,
  checkProject,
  checkRegistryName,
  checkSelection,
  noDestinationMessage,
  parseTlsVerify,
  splitList,
  UsageError,
  usageMessage,
} from "./lib/_cli_support.ts";
import { loginCommands } from "./lib/_cli_login.ts";
import { FailedLines } from "./lib/_failed_lines.ts";
import { createHeapPacer } from "./lib/_heap_pacer.ts";
import {
  checkNotList,
  checkWritable,
  listName,
  openList,
  removeOldFailedList,
  writeFailedList,
} from "./lib/_list_files.ts";

/** The version printed by `--version`. */
export const VERSION = "0.1.0";

/** Exit status of a run. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Where the CLI reads and writes; every field has a real default. */
export interface CliIo {
  /** Receives stdout text (one call per line, newline included). */
  stdout: (text: string) => void;
  /** Receives stderr text (one call per line, newline included). */
  stderr: (text: string) => void;
  /** Environment variables. */
  env: Record<string, string | undefined>;
  /** Whether output is a terminal (colour only then, and never with NO_COLOR). */
  isTerminal: boolean;
  /** Base fetch for registry requests (tests pass a fake registry). */
  fetch?: Fetch;
  /** Interrupts the run (Ctrl-C / SIGTERM). */
  signal?: AbortSignal;
  /**
   * Abandons images in flight at once (a second Ctrl-C / SIGTERM); the
   * summary and the failed file are still written.
   */
  abandon?: AbortSignal;
  /** What `-f -` reads; defaults to the process's standard input. */
  stdin?: ReadableStream<Uint8Array>;
  /** Wall clock for log lines. */
  now: () => Date;
  /** Credential sources (home, files, helpers); defaults to the real ones. */
  credentials?: CredentialSources;
  /**
   * Where per-registry certificates are looked up (tests point `dirs` at a
   * temporary certs.d); defaults to the real directories.
   */
  certificates?: Omit<FindCertificatesOptions, "certDir">;
  /**
   * Limit for one request to answer and for reading its body, in ms (tests
   * make it short); defaults to the clients' own (15 s to answer, 60 s to read).
   */
  requestTimeoutMs?: number;
}

function defaultIo(): CliIo {
  const encoder = new TextEncoder();
  return {
    stdout: (text) => writeAll(Deno.stdout, encoder.encode(text)),
    stderr: (text) => writeAll(Deno.stderr, encoder.encode(text)),
    env: Deno.env.toObject(),
    isTerminal: Deno.stdout.isTerminal(),
    now: () => new Date(),
  };
}

function writeAll(
  target: { writeSync(p: Uint8Array): number },
  bytes: Uint8Array,
) {
  let offset = 0;
  while (offset < bytes.length) {
    offset += target.writeSync(bytes.subarray(offset));
  }
}

const VALIDATE_DESCRIPTION =
  "Validate that mirrored images in the destination registry are exactly what the source serves";

function validateCommand(name: string) {
  return new Command(name)
    .description(VALIDATE_DESCRIPTION)
    .requiredOption(
      "-f, --file <file>",
      "image list file, required (- for standard input)",
      oneList,
    )
    .option(
      "-s, --source <registry>",
      "source registry override (env SOURCE_REGISTRY)",
    )
    .option(
      "-d, --destination <registry>",
      "destination registry override (env DEST_REGISTRY)",
    )
    .option(
      "-a, --arch <list>",
      "architectures to check, comma separated",
      "amd64,arm64",
    )
    .option(
      "--os <list>",
      "operating systems to check, comma separated",
      "linux,windows",
    )
    .option("-j, --jobs <n>", "images validated at once (1 to 20)", "1")
    .option(
      "-o, --output <file>",
      "file that receives the failed lines",
      "mirror-validate-failed.txt",
    )
    .addOption(new Option("--failed <file>", "alias of --output").hideHelp())
    .option(
      "--tls-verify [bool]",
      "verify TLS; false skips it and falls back to http",
      "true",
    )
    .option("--src-tls-verify [bool]", "verify TLS of the source registry")
    .option(
      "--dest-tls-verify [bool]",
      "verify TLS of the destination registry",
    )
    .option(
      "--cert-dir <dir>",
      "directory of *.crt CAs and *.cert/*.key client certificates for every registry",
    )
    .option(
      "--debug",
      "debug log, including srcSpec / dstSpec of every compared image",
      false,
    )
    .option(
      "--default-project <name>",
      "project put in front of a one-segment destination name without a registry ('' for none)",
      "library",
    )
    .option("--source-project <name>", "replace the project of source names")
    .option(
      "--destination-project <name>",
      "replace the project of destination names",
    )
    .option(
      "--timeout <duration>",
      "limit for one image, with a unit: 30s, 10m, 1h; 0 = none",
      "10m",
    )
    .addHelpText("after", VALIDATE_HELP);
}

const VALIDATE_HELP = `
Image list (one entry a line; blank lines and lines starting with # or // are
skipped; a # after whitespace starts a trailing comment):
  default format  one reference; the same path on both sides, the
                  destination registry from -d or DEST_REGISTRY
                    rancher/rancher:v2.9.0
                    quay.io/a/b:1   # a comment
  mirror format   SOURCE DEST TAG, separated by spaces or tabs
                    docker.io/hello-world private.io/library/hello-world latest

Exit codes:
  0    nothing failed (skips allowed)
  1    an image failed or a line was invalid
  2    usage or setup error (bad flag, missing -f, unreadable list)
  130  interrupted (Ctrl-C / SIGTERM)

Examples:
  hangar mirror-validate -f list.txt -d private.registry.io -j 10
  hangar mirror-validate -f list.txt -d 127.0.0.1:5000 --tls-verify=false -a amd64 --os linux
  hangar mirror-validate -f mirror-validate-failed.txt -d private.registry.io -o still-failed.txt
`;

type ValidateFlags = ReturnType<ReturnType<typeof validateCommand>["opts"]>;

function oneList(value: string, previous: string | undefined): string {
  if (previous !== undefined) {
    throw new UsageError(
      `Cannot read two image lists "${previous}" and "${value}": give -f once`,
    );
  }
  return value;
}

/**
 * Runs the CLI with `args` (without the program name) and returns the exit code.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 * let out = "";
 * const code = await main(["--version"], { stdout: (t) => (out += t) });
 * assert(code === 0 && out.trim() === "0.1.0");
 * ```
 */
export async function main(
  args: string[],
  io: Partial<CliIo> = {},
): Promise<number> {
  const full: CliIo = { ...defaultIo(), ...io };
  let code: number = EXIT.ok;
  const output = {
    writeOut: (text: string) => full.stdout(text),
    writeErr: (text: string) => full.stderr(text),
    // Commander's own errors are printed below, in the style of every other
    // usage error.
    outputError: () => {},
  };
  const program = new Command("hangar")
    .description("Mirror and validate container images")
    .version(VERSION, "-v, --version")
    .exitOverride()
    .configureOutput(output)
    .showSuggestionAfterError(true);
  const action = async (flags: ValidateFlags) => {
    code = await runValidate(flags, full);
  };
  program.addCommand(
    validateCommand("mirror-validate").exitOverride().configureOutput(output)
      .action(action),
  );
  const mirror = new Command("mirror").description("Mirror commands")
    .exitOverride()
    .configureOutput(output);
  mirror.addCommand(
    validateCommand("validate").exitOverride().configureOutput(output).action(
      action,
    ),
  );
  program.addCommand(mirror);
  for (const command of loginCommands(full, (exit) => (code = exit))) {
    program.addCommand(command.exitOverride().configureOutput(output));
  }
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      if (error.code !== "commander.help") {
        full.stderr(`Error: ${usageMessage(error.message)}\n`);
      }
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      full.stderr(`Error: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (args.length === 0) {
    full.stdout(program.helpInformation());
    return EXIT.usage;
  }
  return code;
}

async function runValidate(flags: ValidateFlags, io: CliIo): Promise<number> {
  const started = performance.now();
  const color = io.isTerminal && !io.env.NO_COLOR;
  const log = (line: LogLine) => {
    const text = formatLogLine(line, io.now(), color) + "\n";
    if (line.level === "INFO" || line.level === "DEBU") io.stdout(text);
    else io.stderr(text);
  };
  const debug = flags.debug
    ? (message: string) => log({ level: "DEBU", message })
    : undefined;

  let jobs = Number(flags.jobs);
  if (!Number.isInteger(jobs)) {
    throw new UsageError(`Invalid --jobs "${flags.jobs}": not a whole number`);
  }
  if (jobs < 1 || jobs > 20) {
    const clamped = Math.min(20, Math.max(1, jobs));
    log({
      level: "WARN",
      message: `--jobs ${jobs} is out of range 1..20: using ${clamped}`,
    });
    jobs = clamped;
  }
  const timeoutProblem = durationProblem(flags.timeout);
  if (timeoutProblem !== undefined) {
    throw new UsageError(
      `Invalid --timeout "${flags.timeout}": ${timeoutProblem}`,
    );
  }
  const timeoutMs = parseDuration(flags.timeout);
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
  const source = flags.source ?? (io.env.SOURCE_REGISTRY || undefined);
  const destination = flags.destination ?? (io.env.DEST_REGISTRY || undefined);
  for (
    const [flag, value] of [["--source", source], [
      "--destination",
      destination,
    ]] as const
  ) {
    if (value !== undefined) {
      const problem = checkRegistryName(value);
      if (problem) {
        throw new UsageError(`Invalid ${flag} "${value}": ${problem}`);
      }
    }
  }
  const outputFile = flags.failed ?? flags.output;
  const file = listName(flags.file);
  // For -f -, /dev/stdin names what the shell redirected (`< list.txt`).
  const listPath = flags.file !== "-"
    ? flags.file
    : io.stdin || Deno.build.os === "windows"
    ? undefined
    : "/dev/stdin";
  await checkNotList(listPath, outputFile);
  await checkWritable(outputFile);
  const list = await openList(
    flags.file,
    io.stdin ? { stdin: io.stdin } : {},
  );

  const clients = createClientFactory({
    tlsVerify,
    tlsVerifyBySide,
    ...(flags.certDir !== undefined ? { certDir: flags.certDir } : {}),
    ...(io.certificates ? { certificates: io.certificates } : {}),
    ...(io.fetch ? { fetch: io.fetch } : {}),
    ...(io.requestTimeoutMs ? { requestTimeoutMs: io.requestTimeoutMs } : {}),
    ...(io.credentials
      ? { credentials: io.credentials }
      : { credentials: { env: io.env } }),
    ...(debug ? { debug } : {}),
    warn: (message: string) => log({ level: "WARN", message }),
  });
  const items = readImageList(list, {
    ...(source ? { source } : {}),
    ...(destination ? { destination } : {}),
    defaultProject: flags.defaultProject,
    ...(flags.sourceProject ? { sourceProject: flags.sourceProject } : {}),
    ...(flags.destinationProject
      ? { destinationProject: flags.destinationProject }
      : {}),
  });
  const tally = emptyTally();
  // Failed lines as compact bytes, and full collections when the heap grows:
  // 100,000 distinct lines run in under 150 MB (scripts/_bench_memory.ts).
  const toRetry = new FailedLines();
  const heap = createHeapPacer();
  const results = validateList(items, {
    clients,
    architectures,
    oses,
    jobs,
    timeoutMs,
    ...(io.signal ? { signal: io.signal } : {}),
    ...(io.abandon ? { abandon: io.abandon } : {}),
  });
  const onInterrupt = () =>
    log({
      level: "WARN",
      message:
        "Interrupted: no new image starts, images in flight get 3s to finish; interrupt again to stop them at once",
    });
  const onAbandon = () =>
    log({
      level: "WARN",
      message:
        "Interrupted again: images in flight are abandoned; writing the summary and the failed list",
    });
  io.signal?.addEventListener("abort", onInterrupt, { once: true });
  io.abandon?.addEventListener("abort", onAbandon, { once: true });
  // Lines with no destination registry are counted as invalid one by one but
  // reported in one line after the run.
  const noDestination = { lines: 0, first: "" };
  try {
    for await (const result of results) {
      countResult(tally, result);
      heap.tick();
      if (result.kind === "invalid" && result.reason === NO_DESTINATION) {
        if (noDestination.lines++ === 0) {
          noDestination.first = `${file}:${result.line}`;
        }
        continue;
      }
      for (const line of resultLines(result, { file, debug: flags.debug })) {
        log(line);
      }
      if (needsRetry(result)) {
        toRetry.push({ line: result.line, text: result.text });
      }
    }
  } finally {
    io.signal?.removeEventListener("abort", onInterrupt);
    io.abandon?.removeEventListener("abort", onAbandon);
    clients.close();
  }
  const interrupted = (io.signal?.aborted || io.abandon?.aborted) ?? false;
  const total = tally.passed + tally.skipped + tally.failed + tally.invalid +
    tally.notRun;
  if (total === 0) {
    log({
      level: "ERRO",
      message: `Image list "${file}" has no image to validate`,
    });
    return EXIT.usage;
  }
  if (noDestination.lines > 0) {
    log({
      level: "ERRO",
      message: noDestinationMessage(noDestination.lines, noDestination.first),
    });
  }
  if (
    tally.skipped > 0 && tally.passed + tally.failed + tally.notRun === 0
  ) {
    log({ level: "WARN", message: allSkippedMessage(architectures, oses) });
  }
  log({
    level: "INFO",
    message: summaryLine(tally, performance.now() - started, interrupted),
  });
  if (toRetry.length === 0) {
    const warning = await removeOldFailedList(outputFile);
    if (warning) log({ level: "WARN", message: warning });
  }
  try {
    const written = await writeFailedList(outputFile, toRetry);
    if (written > 0) {
      log({
        level: "INFO",
        message: failedFileLine(outputFile, tally),
      });
    }
  } catch (error) {
    log({
      level: "ERRO",
      message: `Cannot write "${outputFile}": ${(error as Error).message}`,
    });
    return EXIT.usage;
  }
  if (interrupted) return EXIT.interrupted;
  return tally.failed + tally.invalid > 0 ? EXIT.failed : EXIT.ok;
}

function needsRetry(result: LineResult): boolean {
  return result.kind === "image" &&
    (result.outcome === undefined ||
      result.outcome.verdict.status === "failed");
}

if (import.meta.main) {
  // First signal: no new image starts. Second: images in flight are abandoned,
  // the summary and failed file are still written. Third: quit at once.
  const interrupt = new AbortController();
  const abandon = new AbortController();
  const stop = () => {
    if (abandon.signal.aborted) Deno.exit(EXIT.interrupted);
    if (interrupt.signal.aborted) abandon.abort();
    else interrupt.abort();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const code = await main(Deno.args, {
    signal: interrupt.signal,
    abandon: abandon.signal,
  });
  Deno.exit(code);
}
