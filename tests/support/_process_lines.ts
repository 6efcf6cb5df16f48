/**
 * Reads a child process's output line by line, to the end, so its pipe never
 * fills up.
 *
 * @module
 */

/**
 * Calls `onLine` for every line of `stream` and resolves when it ends.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLines } from "./_process_lines.ts";
 * const lines: string[] = [];
 * await readLines(new Blob(["a\nb\r\nc"]).stream(), (line) => lines.push(line));
 * assert(lines.join(",") === "a,b,c");
 * ```
 */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    rest += text;
    let newline = rest.indexOf("\n");
    while (newline >= 0) {
      onLine(rest.slice(0, newline).replace(/\r$/, ""));
      rest = rest.slice(newline + 1);
      newline = rest.indexOf("\n");
    }
  }
  if (rest) onLine(rest);
}

const ACCESS_LINE =
  /^\S+ \S+ \S+ \[[^\]]+\] "([A-Z]+) (\S+) HTTP\/[0-9.]+" \d{3} /;

/**
 * Parses an access-log line in the combined log format that distribution
 * writes on stdout, one per request; `undefined` for other lines.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAccessLine } from "./_process_lines.ts";
 * const line = '127.0.0.1 - - [27/Nov/2026:23:14:28 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"';
 * assert(parseAccessLine(line)?.path === "/v2/");
 * assert(parseAccessLine('time="x" level=info msg="response completed"') === undefined);
 * ```
 */
export function parseAccessLine(
  line: string,
): { method: string; path: string } | undefined {
  const match = ACCESS_LINE.exec(line);
  return match ? { method: match[1]!, path: match[2]! } : undefined;
}

/** Remembers the last `limit` lines, for error messages. */
export class LineTail {
  #lines: string[] = [];
  #limit: number;

  /**
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineTail } from "./_process_lines.ts";
   * const tail = new LineTail(2);
   * for (const line of ["a", "b", "c"]) tail.push(line);
   * assert(tail.text() === "b\nc");
   * ```
   */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Adds a line, forgetting the oldest when full. */
  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.#limit) this.#lines.shift();
  }

  /** The remembered lines, joined by newlines. */
  text(): string {
    return this.#lines.join("\n");
  }
}

/**
 * Resolves like `promise`, or rejects with `Error(message())` after `ms`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { within } from "./_process_lines.ts";
 * assert((await within(Promise.resolve(1), 1000, () => "slow")) === 1);
 * ```
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  message: () => string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
