/**
 * The one way this project loads a `node:` module: on first use,
 * synchronously, through the `process.getBuiltinModule` Deno provides,
 * instead of with an `import` at the top of a file. Any `node:` import costs
 * Deno 15-60 ms at start-up (its Node layer), which a run that never takes
 * the path needing it should not pay; `tests/startup_graph_test.ts` keeps
 * such imports out of the CLI's start-up graph.
 *
 * @module
 */

/** The `node:` modules loaded lazily, by name. */
export interface NodeBuiltins {
  /** `node:crypto` (X.509 parsing of a registry's CA certificate). */
  "node:crypto": typeof import("node:crypto");
  /** `node:fs` (fstat of standard input). */
  "node:fs": typeof import("node:fs");
  /** `node:http` (plain http for the node:https fetch and proxy tunnels). */
  "node:http": typeof import("node:http");
  /** `node:https` (TLS Deno's fetch cannot do: no verification, self-signed). */
  "node:https": typeof import("node:https");
  /** `node:net` (proxy tunnels). */
  "node:net": typeof import("node:net");
  /** `node:path` (Windows paths, report file names). */
  "node:path": typeof import("node:path");
  /** `node:tls` (handshake diagnostics, root certificates). */
  "node:tls": typeof import("node:tls");
  /** `node:v8` (the heap pacer's collector). */
  "node:v8": typeof import("node:v8");
  /** `node:vm` (the heap pacer's collector). */
  "node:vm": typeof import("node:vm");
}

/**
 * Whether this runtime can load `node:` modules on demand
 * (`process.getBuiltinModule`, Deno 2 and Node 22).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { canLoadNodeBuiltins } from "./node_builtin.ts";
 * assert.equal(canLoadNodeBuiltins(), true);
 * ```
 */
export function canLoadNodeBuiltins(): boolean {
  const process = (globalThis as { process?: { getBuiltinModule?: unknown } })
    .process;
  return typeof process?.getBuiltinModule === "function";
}

/**
 * The `node:` module `name`, loaded on first use and cached by the runtime.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeBuiltin } from "./node_builtin.ts";
 * assert.equal(nodeBuiltin("node:path").posix.join("a", "b"), "a/b");
 * ```
 */
export function nodeBuiltin<K extends keyof NodeBuiltins>(
  name: K,
): NodeBuiltins[K] {
  return (globalThis as unknown as {
    process: { getBuiltinModule(name: K): NodeBuiltins[K] };
  }).process.getBuiltinModule(name);
}
