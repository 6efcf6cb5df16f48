/**
 * Keeps the JavaScript heap of a long run small. Under a steady stream of
 * requests V8 grows its young generation to its maximum (32 MiB per
 * semi-space) and lets the old generation reach about four times what is
 * live before collecting it, so a run of 100,000 lines held 90-100 MB of
 * heap, almost all garbage. The pacer asks V8 for a full collection whenever
 * the heap has grown past a limit; it is checked once every few results, so it
 * costs a few milliseconds per collection and nothing otherwise. Private
 * helper of the CLI (cli.ts passes one to the run): a library must not run
 * collections for its caller.
 *
 * The heap is measured with `Deno.memoryUsage()` (V8's total heap size, as
 * `node:v8` gives it); `node:v8` and `node:vm`, which make the collector, are
 * loaded only when the heap first passes the limit, so a short run never pays
 * for Deno's Node compatibility layer at start-up.
 *
 * @module
 */

import { canLoadNodeBuiltins, nodeBuiltin } from "../types/node_builtin.ts";

/** Options of {@linkcode createHeapPacer}. */
export interface HeapPacerOptions {
  /**
   * Heap size (committed, all spaces) above which a collection runs, in bytes.
   * @default {50331648}
   */
  limitBytes?: number;
  /**
   * Calls between two looks at the heap size.
   * @default {100}
   */
  checkEvery?: number;
}

/** A pacer made by {@linkcode createHeapPacer}. */
export interface HeapPacer {
  /** Call once per unit of work (a result); collects when the heap is over the limit. */
  tick(): void;
  /** Collections run so far. */
  readonly collections: number;
}

let fullGc: (() => void) | null | undefined;

/**
 * V8's `gc()` without `--expose-gc` on the command line: the flag is set
 * for as long as a new context takes to be made, and the context's `gc`
 * kept. Undefined when the runtime does not allow it.
 */
function collector(): (() => void) | undefined {
  if (fullGc === undefined) {
    fullGc = null;
    if (!canLoadNodeBuiltins()) return undefined;
    // Synchronous, unlike import(): the collection runs on this very tick.
    const v8 = nodeBuiltin("node:v8");
    const vm = nodeBuiltin("node:vm");
    try {
      v8.setFlagsFromString("--expose-gc");
      const gc: unknown = vm.runInNewContext("gc");
      fullGc = typeof gc === "function" ? () => gc() : null;
    } catch {
      fullGc = null;
    } finally {
      v8.setFlagsFromString("--no-expose-gc");
    }
  }
  return fullGc ?? undefined;
}

/**
 * Returns a pacer that runs a full collection when the heap passes
 * `limitBytes`; a pacer that does nothing when the runtime gives no `gc`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHeapPacer } from "./heap_pacer.ts";
 * const pacer = createHeapPacer({ limitBytes: 1, checkEvery: 1 });
 * pacer.tick();
 * assert.equal(pacer.collections, 1);
 * ```
 */
export function createHeapPacer(options: HeapPacerOptions = {}): HeapPacer {
  const limit = options.limitBytes ?? 48 * 1024 * 1024;
  const every = Math.max(1, options.checkEvery ?? 100);
  let calls = 0;
  let collections = 0;
  return {
    tick(): void {
      if (++calls % every !== 0) return;
      if (Deno.memoryUsage().heapTotal <= limit) return;
      const gc = collector();
      if (gc === undefined) return;
      gc();
      collections++;
    },
    get collections() {
      return collections;
    },
  };
}
