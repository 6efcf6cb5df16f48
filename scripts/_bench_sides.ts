/**
 * The two sides of the benchmark, source and destination: each a real
 * `docker-registry` behind a latency proxy on 127.0.0.1, started and stopped
 * together, and the counters a run is measured with (requests each registry
 * logged, connections the proxies accepted, CPU the registry processes spent).
 * Private to the benchmark (`scripts/bench.ts`).
 *
 * @module
 */

import {
  type Distribution,
  startDistribution,
} from "../tests/support/distribution.ts";
import { type LatencyProxy, startLatencyProxy } from "./_latency_proxy.ts";

/** One registry of the benchmark and the latency proxy in front of it. */
export interface Side {
  /** The registry. */
  registry: Distribution;
  /** The proxy the tools connect to. */
  proxy: LatencyProxy;
  /** The `docker-registry` process, for its CPU time. */
  pid?: number;
}

/** Options of {@linkcode startSides}. */
export interface StartSidesOptions {
  /** Delay each proxy adds to every chunk, each way, in ms. */
  delayMs: number;
}

/**
 * Starts the source side, then the destination side; what starts is stopped
 * when `stack` is disposed (proxies before their registries).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { startSides } from "./_bench_sides.ts";
 * await using stack = new AsyncDisposableStack();
 * const [src, dst] = await startSides(stack, { delayMs: 5 });
 * const res = await fetch(`http://${src.proxy.host}/v2/`);
 * await res.body?.cancel();
 * assert.equal(res.status, 200);
 * assert.notEqual(src.registry.host, dst.registry.host);
 * ```
 */
export async function startSides(
  stack: AsyncDisposableStack,
  { delayMs }: StartSidesOptions,
): Promise<[Side, Side]> {
  const sides: Side[] = [];
  for (let i = 0; i < 2; i++) {
    const registry = await startDistribution();
    stack.defer(() => registry.stop());
    const pid = registryPid(registry.storageDir);
    const proxy = startLatencyProxy(Number(registry.host.split(":")[1]), {
      delayMs,
    });
    stack.defer(() => proxy.stop());
    sides.push(
      pid === undefined ? { registry, proxy } : {
        registry,
        proxy,
        pid,
      },
    );
  }
  return sides as [Side, Side];
}

/** What both sides have seen so far; see {@linkcode countSides}. */
export interface SideCounts {
  /** Requests the source registry logged. */
  srcRequests: number;
  /** Requests the destination registry logged. */
  dstRequests: number;
  /** Connections both proxies accepted. */
  connections: number;
  /** CPU the two registry processes spent, in ms. */
  registryCpuMs: number;
}

/**
 * Reads the counters of both sides: requests (once every answered request is
 * logged), connections, registry CPU.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { countSides, startSides } from "./_bench_sides.ts";
 * await using stack = new AsyncDisposableStack();
 * const sides = await startSides(stack, { delayMs: 1 });
 * const res = await fetch(`http://${sides[1].proxy.host}/v2/`);
 * await res.body?.cancel();
 * const counts = await countSides(sides);
 * assert.deepEqual([counts.srcRequests, counts.dstRequests], [0, 1]);
 * assert.equal(counts.connections, 1);
 * ```
 */
export async function countSides(
  [src, dst]: [Side, Side],
): Promise<SideCounts> {
  const srcRequests = await src.registry.settledRequestCount();
  const dstRequests = await dst.registry.settledRequestCount();
  return {
    srcRequests,
    dstRequests,
    connections: src.proxy.connections() + dst.proxy.connections(),
    registryCpuMs: processCpuMs(src.pid) + processCpuMs(dst.pid),
  };
}

/** The pid of the `docker-registry` serving `storageDir` (its config sits beside it). */
function registryPid(storageDir: string): number | undefined {
  const config = storageDir.replace(/\/storage$/, "/config.yml");
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (cmdline.includes(config)) return Number(entry.name);
    } catch {
      // the process ended
    }
  }
  return undefined;
}

/** User + system CPU of a process in ms (clock ticks of 10 ms). */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!
    .split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
