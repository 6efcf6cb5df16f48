/**
 * A real HTTP proxy for tests: Debian's `tinyproxy` on 127.0.0.1 with a
 * generated configuration, optionally wanting Basic proxy credentials, whose
 * log tells which requests went through it (`GET http://HOST:PORT/PATH` for
 * plain http, `CONNECT HOST:PORT` for https).
 *
 * tinyproxy 1.11 answers a request without credentials with 407, and one
 * with wrong credentials with 401 (`WWW-Authenticate: Basic
 * realm="Tinyproxy"`), for `CONNECT` as for `GET`.
 *
 * @module
 */

import { requireTools } from "./tools.ts";

const START_TIMEOUT_MS = 10_000;
const REQUEST_LINE =
  /: Request \(file descriptor \d+\): (\S+ \S+) HTTP\/[\d.]+$/;

/** Options of {@linkcode startTinyproxy}. */
export interface TinyproxyOptions {
  /**
   * Want these Basic proxy credentials (`BasicAuth USER PASSWORD`).
   * @default no proxy authentication
   */
  basicAuth?: { user: string; password: string };
}

/** A running proxy made by {@linkcode startTinyproxy}. */
export interface Tinyproxy extends AsyncDisposable {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** The port it listens on. */
  port: number;
  /** `http://127.0.0.1:PORT`, without credentials. */
  url: string;
  /**
   * The requests it received so far, in order, each as `METHOD TARGET`:
   * `GET http://127.0.0.1:5000/v2/` or `CONNECT 127.0.0.1:5001`.
   * tinyproxy writes the line when the request arrives, before it answers.
   */
  log(): Promise<string[]>;
  /** Stops the process (SIGTERM) and removes its directory. */
  stop(): Promise<void>;
}

/**
 * A port on 127.0.0.1 that nothing listens on right now (taken from the
 * system, then released).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { freePort } from "./tinyproxy.ts";
 * const port = freePort();
 * assert(port > 0 && port < 65536);
 * ```
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/**
 * Starts `tinyproxy -d -c CONFIG` on a free port of 127.0.0.1 (CONNECT to
 * any port allowed, clients from 127.0.0.1 only) and waits until it accepts
 * connections.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { freePort, startTinyproxy } from "./tinyproxy.ts";
 * await using proxy = await startTinyproxy();
 * const nobody = `127.0.0.1:${freePort()}`;
 * const client = Deno.createHttpClient({ proxy: { url: proxy.url } });
 * try {
 *   const res = await fetch(`http://${nobody}/v2/`, { client });
 *   await res.body?.cancel();
 *   assert.equal(res.status, 500);
 * } finally {
 *   client.close();
 * }
 * assert.deepEqual(await proxy.log(), [`GET http://${nobody}/v2/`]);
 * ```
 */
export async function startTinyproxy(
  options: TinyproxyOptions = {},
): Promise<Tinyproxy> {
  await requireTools("tinyproxy");
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

function config(dir: string, port: number, options: TinyproxyOptions) {
  const lines = [
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 60",
    "Allow 127.0.0.1",
    "LogLevel Info",
    `LogFile "${dir}/tinyproxy.log"`,
    `PidFile "${dir}/tinyproxy.pid"`,
    "MaxClients 100",
    "DisableViaHeader Yes",
  ];
  const auth = options.basicAuth;
  if (auth) lines.push(`BasicAuth ${auth.user} ${auth.password}`);
  return lines.join("\n") + "\n";
}

async function startOnce(options: TinyproxyOptions): Promise<Tinyproxy> {
  const dir = await Deno.makeTempDir({ prefix: "hangar-tinyproxy-" });
  const port = freePort();
  const configFile = `${dir}/tinyproxy.conf`;
  const logFile = `${dir}/tinyproxy.log`;
  await Deno.writeTextFile(configFile, config(dir, port, options));
  const child = new Deno.Command("tinyproxy", {
    args: ["-d", "-c", configFile],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      Deno.kill(child.pid, "SIGTERM");
    } catch {
      // already exited
    }
    await child.status;
    await stderr;
    await Deno.remove(dir, { recursive: true });
  };
  const log = async () => {
    const text = await Deno.readTextFile(logFile).catch(() => "");
    return text.split("\n").flatMap((line) => {
      const match = REQUEST_LINE.exec(line);
      return match ? [match[1]!] : [];
    });
  };
  try {
    await whenListening(port, child.status);
  } catch (error) {
    await stop().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Cannot start tinyproxy on "127.0.0.1:${port}": ${reason}`,
      { cause: error },
    );
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    url: `http://127.0.0.1:${port}`,
    log,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Resolves once 127.0.0.1:`port` accepts a connection; throws on exit. */
async function whenListening(
  port: number,
  status: Promise<Deno.CommandStatus>,
): Promise<void> {
  let exited: Deno.CommandStatus | undefined;
  status.then((s) => exited = s);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`exited with code ${exited.code}`);
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
    }
    if (Date.now() > deadline) throw new Error("no answer within 10 s");
    // Polls the port: the process gives no readiness signal on a pipe.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
