/**
 * Where the CLI reads and writes: the streams, environment, clock and
 * signals, each replaceable by tests.
 *
 * @module
 */

import type { CredentialSources } from "../auth/credentials.ts";
import type { FindCertificatesOptions } from "../transport/certs.ts";
import type { Fetch } from "../transport/fetch.ts";

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
  /**
   * Whether standard error is a terminal (a progress line only then, and
   * never under `CI=true` or `--quiet`).
   *
   * @default {false}
   */
  stderrIsTerminal?: boolean;
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
