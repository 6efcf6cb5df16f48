/**
 * The `hangar` command line: `hangar mirror-validate` (also `hangar mirror
 * validate`) and `hangar login` / `logout`. Turns flags into checked options
 * (lib/cli/options.ts), builds the registry clients and the hangar log
 * reporter, and hands them to the run (lib/run/run.ts), whose exit code it
 * returns.
 *
 * @module
 */

import { Command, CommanderError } from "@commander-js/extra-typings";
import type { FindCertificatesOptions } from "./lib/transport/certs.ts";
import { createClientFactory } from "./lib/registry/clients.ts";
import type { CredentialSources } from "./lib/auth/credentials.ts";
import type { Fetch } from "./lib/transport/fetch.ts";
import { HangarLog } from "./lib/report/hangar_log.ts";
import { EXIT, runValidation } from "./lib/run/run.ts";
import { createHeapPacer } from "./lib/run/heap_pacer.ts";
import { listName } from "./lib/run/list_files.ts";
import { UsageError } from "./lib/errors.ts";
import { usageMessage } from "./lib/cli/support.ts";
import { loginCommands } from "./lib/cli/login_commands.ts";
import { validateOptions } from "./lib/cli/options.ts";
import {
  validateCommand,
  type ValidateFlags,
} from "./lib/cli/validate_command.ts";

export { EXIT };

/** The version printed by `--version`. */
export const VERSION = "0.1.0";

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
  const startedAt = performance.now();
  const reporter = new HangarLog({
    stdout: io.stdout,
    stderr: io.stderr,
    list: listName(flags.file),
    color: io.isTerminal && !io.env.NO_COLOR,
    debug: flags.debug,
    now: io.now,
  });
  const warn = (message: string) =>
    reporter.onNotice({ kind: "warning", message });
  const options = await validateOptions(flags, {
    env: io.env,
    warn,
    ...(io.stdin ? { stdin: io.stdin } : {}),
  });
  const clients = createClientFactory({
    tlsVerify: options.tlsVerify,
    tlsVerifyBySide: options.tlsVerifyBySide,
    ...(options.certDir !== undefined ? { certDir: options.certDir } : {}),
    ...(io.certificates ? { certificates: io.certificates } : {}),
    ...(io.fetch ? { fetch: io.fetch } : {}),
    proxyEnv: io.env,
    ...(io.requestTimeoutMs ? { requestTimeoutMs: io.requestTimeoutMs } : {}),
    ...(io.credentials
      ? { credentials: io.credentials }
      : { credentials: { env: io.env } }),
    ...(options.debug
      ? {
        debug: (message: string) =>
          reporter.onNotice({ kind: "debug", message }),
      }
      : {}),
    warn,
  });
  try {
    const { code } = await runValidation({
      list: options.list,
      listOptions: options.listOptions,
      clients,
      architectures: options.architectures,
      oses: options.oses,
      jobs: options.jobs,
      timeoutMs: options.timeoutMs,
      failedFile: options.failedFile,
      startedAt,
      // Full collections when the heap grows: 100,000 distinct lines stay
      // under 150 MB peak RSS (scripts/_bench_memory.ts).
      pacer: createHeapPacer(),
      ...(io.signal ? { signal: io.signal } : {}),
      ...(io.abandon ? { abandon: io.abandon } : {}),
    }, reporter);
    return code;
  } finally {
    clients.close();
  }
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
