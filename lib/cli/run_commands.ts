/**
 * The actions of `mirror-validate` and `mirror snapshot`: checked options,
 * the registry clients (or a snapshot or layout for the source side), the
 * hangar log, then the run. Each returns the exit code.
 *
 * What a plain `mirror-validate` does not use (reports, the progress line,
 * list counting, the snapshot run) is loaded with `import()` when a flag asks
 * for it, so that it costs nothing at start-up (tests/startup_graph_test.ts).
 *
 * @module
 */

import { createClientFactory } from "../registry/clients.ts";
import { fanOut } from "../report/fan_out.ts";
import { HangarLog } from "../report/hangar_log.ts";
import { EXIT, runValidation } from "../run/run.ts";
import { createHeapPacer } from "../run/heap_pacer.ts";
import { listName } from "../run/list_files.ts";
import type { ClientFactory } from "../verdict/source.ts";
import type { CliIo } from "./io.ts";
import { type ValidateOptions, validateOptions } from "./options.ts";
import { GuardedReports } from "./_guarded_reports.ts";
import type { SnapshotFlags } from "./snapshot_command.ts";
import type { ValidateFlags } from "./validate_command.ts";

/** Runs `mirror-validate` with its parsed flags. */
export async function runValidate(
  flags: ValidateFlags,
  io: CliIo,
): Promise<number> {
  const startedAt = performance.now();
  // Log lines go through these, so that a progress line can share the
  // terminal and a report on standard output can take it.
  let stdout = io.stdout;
  let stderr = io.stderr;
  const reportOnStdout = flags.report.some((r) => r.endsWith("=-"));
  const log = hangarLog(flags, io, "validate", {
    stdout: (text) => (reportOnStdout ? stderr : stdout)(text),
    stderr: (text) => stderr(text),
  });
  const options = await validateOptions(flags, optionsIo(io, log));
  const online = clientFactory(options, io, log);
  const offline = options.offlineSource;
  const clients: ClientFactory = offline
    ? (registry, side) =>
      side === "source" ? offline.client(registry) : online(registry, side)
    : online;
  const progress = wantsProgress(options, io)
    ? new (await import("../report/progress.ts")).ProgressLine({
      write: io.stderr,
    })
    : undefined;
  if (progress) {
    stdout = progress.wrap(io.stdout);
    stderr = progress.wrap(io.stderr);
    if (!options.shard) {
      const { countListLines } = await import("../run/list_count.ts");
      const total = await countListLines(flags.file);
      if (total !== undefined) progress.setTotal(total);
    }
  }
  const reports = await GuardedReports.open(options.reports, io);
  try {
    const { code } = await runValidation({
      ...runOptions(options, io, startedAt),
      clients,
      extra: options.extra,
      ...(options.shard ? { shard: options.shard } : {}),
    }, fanOut(...(progress ? [progress] : []), log, ...reports.reporters));
    if (reports.errors.length === 0) return code;
    for (const message of reports.errors) log.log({ level: "ERRO", message });
    return EXIT.usage;
  } catch (error) {
    reports.discard();
    throw error;
  } finally {
    progress?.onSummary();
    online.close();
  }
}

function wantsProgress(options: ValidateOptions, io: CliIo): boolean {
  const ci = (io.env.CI ?? "").toLowerCase();
  return !!io.stderrIsTerminal && !options.quiet && ci !== "true" &&
    ci !== "1";
}

/** Runs `mirror snapshot` with its parsed flags. */
export async function runSnapshotCommand(
  flags: SnapshotFlags,
  io: CliIo,
  version: string,
): Promise<number> {
  const startedAt = performance.now();
  const reporter = hangarLog(flags, io, "snapshot");
  const [{ snapshotOptions }, { runSnapshot }] = await Promise.all([
    import("./snapshot_command.ts"),
    import("../run/snapshot_run.ts"),
  ]);
  const options = await snapshotOptions(flags, optionsIo(io, reporter));
  const clients = clientFactory(options, io, reporter);
  try {
    const result = await runSnapshot({
      ...runOptions(options, io, startedAt),
      clients,
      snapshotFile: options.snapshotFile,
      extra: { deep: flags.deep, referrers: flags.referrers },
      createdBy: `hangar ${version}`,
      now: io.now,
    }, reporter);
    if (result.written) {
      const { digest, bytes } = result.written;
      reporter.log({
        level: "INFO",
        message:
          `Snapshot written to "${options.snapshotFile}" (${bytes} bytes, ${digest})`,
      });
    } else if (result.notWritten === "interrupted") {
      reporter.log({
        level: "WARN",
        message:
          `Snapshot not written: interrupted ("${options.snapshotFile}" is unchanged)`,
      });
    } else if (result.notWritten !== undefined) {
      reporter.log({
        level: "ERRO",
        message:
          `Cannot write snapshot "${options.snapshotFile}": ${result.notWritten}`,
      });
    }
    return result.code;
  } finally {
    clients.close();
  }
}

function hangarLog(
  flags: {
    file: string;
    debug: boolean;
    quiet?: boolean;
    hideLogTime?: boolean;
  },
  io: CliIo,
  mode: "validate" | "snapshot",
  streams: Pick<CliIo, "stdout" | "stderr"> = io,
): HangarLog {
  return new HangarLog({
    stdout: streams.stdout,
    stderr: streams.stderr,
    list: listName(flags.file),
    color: io.isTerminal && !io.env.NO_COLOR,
    debug: flags.debug,
    now: io.now,
    mode,
    quiet: flags.quiet ?? false,
    time: !flags.hideLogTime,
  });
}

function optionsIo(io: CliIo, reporter: HangarLog) {
  return {
    env: io.env,
    warn: (message: string) => reporter.onNotice({ kind: "warning", message }),
    ...(io.stdin ? { stdin: io.stdin } : {}),
  };
}

function clientFactory(
  options: ValidateOptions,
  io: CliIo,
  reporter: HangarLog,
) {
  return createClientFactory({
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
    warn: (message: string) => reporter.onNotice({ kind: "warning", message }),
  });
}

function runOptions(options: ValidateOptions, io: CliIo, startedAt: number) {
  return {
    list: options.list,
    listOptions: options.listOptions,
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
  };
}

export { EXIT };
