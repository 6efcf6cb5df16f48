/**
 * Real CNCF distribution registries (`docker-registry` 2.8) for tests, on
 * 127.0.0.1, with optional TLS, htpasswd or token auth.
 *
 * @module
 */

import {
  type DistributionConfig,
  distributionConfig,
  probe,
} from "./_distribution_config.ts";
import {
  LineTail,
  parseAccessLine,
  readLines,
  within,
} from "./_process_lines.ts";
import { requireTools } from "./tools.ts";

export {
  type CertificateFiles,
  makeCertDir,
  makeClientCertificate,
  makeHtpasswd,
  makeSelfSignedCertificate,
  makeTestCertificates,
  type TestCertificates,
} from "./_certificates.ts";

const PROBE = "hangar-probe";
const START_TIMEOUT_MS = 10_000;

/** Options of {@linkcode startDistribution}. */
export interface DistributionOptions {
  /**
   * Storage root; kept on stop. Two registries may serve one directory.
   * @default a temporary directory removed on stop
   */
  storageDir?: string;
  /**
   * Serve HTTPS with this certificate and key (see `makeTestCertificates`);
   * with `clientCas`, require a client certificate signed by one of these CAs
   * (mutual TLS). The helper's own probes then present `client` (see
   * `makeClientCertificate`), which is required with `clientCas`.
   * @default plain HTTP
   */
  tls?: {
    certFile: string;
    keyFile: string;
    clientCas?: string[];
    client?: { certFile: string; keyFile: string };
  };
  /**
   * Require Basic auth from this bcrypt htpasswd file (see `makeHtpasswd`).
   * @default no auth
   */
  htpasswd?: DistributionConfig["htpasswd"];
  /**
   * Require bearer tokens (RS256 JWTs whose `x5c` certificate is in the
   * bundle): `realm`, `service`, `issuer`, `rootCertBundle`.
   * @default no auth
   */
  token?: DistributionConfig["token"];
}

/** A running registry made by {@linkcode startDistribution}. */
export interface Distribution {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** `http://127.0.0.1:PORT`, or `https://` with TLS. */
  url: string;
  /** The storage root. */
  storageDir: string;
  /**
   * Requests logged so far (access-log lines), the helper's own probes left
   * out. A line can trail its response by a moment: use
   * {@linkcode Distribution.settledRequestCount} for exact counts.
   */
  requestCount(): number;
  /** Waits until every request answered so far is logged, then counts them. */
  settledRequestCount(): Promise<number>;
  /** Starts counting from 0 again. */
  resetRequestCount(): void;
  /** Stops the process and removes the temporary files. */
  stop(): Promise<void>;
}

/**
 * Starts `docker-registry serve` on a free port and waits until `/v2/` answers.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { startDistribution } from "./distribution.ts";
 * const registry = await startDistribution();
 * const res = await fetch(`${registry.url}/v2/`);
 * await res.body?.cancel();
 * assert(res.status === 200);
 * assert((await registry.settledRequestCount()) === 1);
 * await registry.stop();
 * ```
 */
export async function startDistribution(
  options: DistributionOptions = {},
): Promise<Distribution> {
  await requireTools("docker-registry");
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      const busy = error instanceof Error &&
        error.message.includes("address already in use");
      if (!busy || attempt >= 3) throw error;
    }
  }
}

/**
 * A starter of registries for one test: each gets `defaults` under its own
 * options (e.g. one `storageDir`, so that every registry serves what one
 * was seeded with) and is stopped when `stack` is disposed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { distributionsIn } from "./distribution.ts";
 * const storageDir = await Deno.makeTempDir();
 * {
 *   await using stack = new AsyncDisposableStack();
 *   const start = distributionsIn(stack, { storageDir });
 *   const [a, b] = [await start(), await start()];
 *   assert.equal(a.storageDir, b.storageDir);
 * }
 * await Deno.remove(storageDir, { recursive: true });
 * ```
 */
export function distributionsIn(
  stack: AsyncDisposableStack,
  defaults: DistributionOptions = {},
): (options?: DistributionOptions) => Promise<Distribution> {
  return async (options = {}) => {
    const registry = await startDistribution({ ...defaults, ...options });
    stack.defer(() => registry.stop());
    return registry;
  };
}

async function startOnce(options: DistributionOptions): Promise<Distribution> {
  const client = options.tls?.client;
  if ((options.tls?.clientCas?.length ?? 0) > 0 && client === undefined) {
    throw new TypeError(
      "Cannot start a registry with clientCas: tls.client is required for its probes",
    );
  }
  const tempDir = await Deno.makeTempDir({ prefix: "hangar-distribution-" });
  const storageDir = options.storageDir ?? `${tempDir}/storage`;
  await Deno.mkdir(storageDir, { recursive: true });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const configFile = `${tempDir}/config.yml`;
  await Deno.writeTextFile(
    configFile,
    distributionConfig({ ...options, port, storageDir }),
  );

  const child = new Deno.Command("docker-registry", {
    args: ["serve", configFile],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const tail = new LineTail(60);
  let count = 0;
  const waiters = new Map<string, () => void>();
  let onListening = () => {};
  const listening = new Promise<void>((resolve) => onListening = resolve);
  const onLine = (line: string) => {
    tail.push(line);
    const access = parseAccessLine(line);
    if (access === undefined) {
      if (line.includes(`listening on 127.0.0.1:${port}`)) onListening();
      return;
    }
    const probeId = /[?&]hangar-probe=([^&\s]+)/.exec(access.path)?.[1];
    if (probeId === undefined) count++;
    else waiters.get(probeId)?.();
  };
  const readers = Promise.all([
    readLines(child.stdout, onLine),
    readLines(child.stderr, onLine),
  ]);
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await child.status;
    await readers;
    await Deno.remove(tempDir, { recursive: true });
  };
  let probes = 0;
  const settle = async (timeoutMs: number) => {
    const id = `${Date.now()}-${++probes}`;
    const logged = new Promise<void>((resolve) => waiters.set(id, resolve));
    await probe(url, `/v2/?${PROBE}=${id}`, client ? { client } : {});
    await within(
      logged,
      timeoutMs,
      () => `Registry at "${url}" did not log request "${id}"`,
    );
    waiters.delete(id);
  };

  try {
    const exited = child.status.then((status) => {
      throw new Error(`exited with code ${status.code}`);
    });
    await within(
      Promise.race([listening, exited]),
      START_TIMEOUT_MS,
      () => "no answer within 10 s",
    );
    await settle(START_TIMEOUT_MS);
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Cannot start docker-registry on "127.0.0.1:${port}": ${reason}\n${tail.text()}`,
      {
        cause: error,
      },
    );
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    storageDir,
    requestCount: () => count,
    settledRequestCount: async () => {
      await settle(5_000);
      return count;
    },
    resetRequestCount: () => {
      count = 0;
    },
    stop,
  };
}
