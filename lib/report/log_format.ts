/**
 * One log line as hangar prints it: `HH:MM:SS [LEVEL] message`, the level
 * coloured on a terminal, control characters of the message shown as
 * `\xNN`. Pure; report.ts re-exports it.
 *
 * @module
 */

/** A log level, printed as hangar prints it. */
export type Level = "DEBU" | "INFO" | "WARN" | "ERRO";

/** One line of output and the stream it belongs to. */
export interface LogLine {
  /** The level; INFO and DEBU go to stdout, WARN and ERRO to stderr. */
  level: Level;
  /** The message, without time or level. */
  message: string;
}

/**
 * Formats a log line as `HH:MM:SS [LEVEL] message` (`[LEVEL] message`
 * without a time), coloured when asked.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLogLine } from "./log_format.ts";
 * const at = new Date(2024, 0, 1, 9, 5, 7);
 * assert(formatLogLine({ level: "INFO", message: "hi" }, at, false) === "09:05:07 [INFO] hi");
 * ```
 */
export function formatLogLine(
  line: LogLine,
  at: Date | undefined,
  color: boolean,
): string {
  const tag = color
    ? `\x1b[${COLORS[line.level]}m${line.level}\x1b[0m`
    : line.level;
  const message = escapeControls(line.message);
  if (at === undefined) return `[${tag}] ${message}`;
  const time = [at.getHours(), at.getMinutes(), at.getSeconds()]
    .map((n) => String(n).padStart(2, "0")).join(":");
  return `${time} [${tag}] ${message}`;
}

/** C0 controls but tab and newline, DEL and C1 controls. */
// deno-lint-ignore no-control-regex
const CONTROLS = new RegExp(
  "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]",
  "g",
);

/**
 * Shows control characters as `\xNN`, so that text from a list or a
 * registry (an escape sequence, a carriage return) cannot rewrite the
 * terminal; tab and newline stay.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeControls } from "./log_format.ts";
 * assert.equal(escapeControls("a\x1b[2Jb\r\tc\n"), "a\\x1b[2Jb\\x0d\tc\n");
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(
    CONTROLS,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

const COLORS: Record<Level, number> = {
  DEBU: 90,
  INFO: 36,
  WARN: 33,
  ERRO: 31,
};
