// What a plain run loads before its first request: the static import graph
// from cli.ts (static `import ... from`, `import "..."` and `export ... from`;
// `import type` and `import()` do not load anything at start-up) reaches no
// `node:` module, whose Node-compat initialisation costs 15-60 ms, and none of
// the features a plain validate run does not use.

import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), ".."));

/** Strips comments so that doc examples do not count as imports. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/**
 * The specifiers a module loads when it is evaluated: static imports and
 * re-exports, without `import type` / `export type` and without `import()`.
 */
export function staticImportsOf(source: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:^|[\s;])(import|export)(\s+type\b)?\s*(?:[\w\s{},*$]*?\s*from\s*)?["']([^"']+)["']/g;
  for (const match of stripComments(source).matchAll(pattern)) {
    if (match[2] !== undefined) continue; // `import type` / `export type`
    found.push(match[3]!);
  }
  return found;
}

/**
 * The chain of modules from `entry` to each `node:` specifier it reaches
 * statically, as "cli.ts -> lib/x.ts -> node:fs"; npm and bare specifiers
 * are leaves.
 */
export async function startupGraph(
  entry: string,
  read: (path: string) => Promise<string> = (path) =>
    Deno.readTextFile(join(ROOT, path)),
): Promise<Map<string, string[]>> {
  const parents = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const chain = parents.get(file)!;
    if (file.startsWith("node:") || !file.endsWith(".ts")) continue;
    for (const spec of staticImportsOf(await read(file))) {
      const target = spec.startsWith(".")
        ? relative(ROOT, join(ROOT, dirname(file), spec))
        : spec;
      if (parents.has(target)) continue;
      parents.set(target, [...chain, target]);
      if (target.startsWith("node:") || spec.startsWith(".")) {
        queue.push(target);
      }
    }
  }
  return parents;
}

function nodeChains(graph: Map<string, string[]>): string[] {
  return [...graph.entries()]
    .filter(([module]) => module.startsWith("node:"))
    .map(([, chain]) => chain.join(" -> "));
}

Deno.test("cli.ts reaches no node: module through static imports", async () => {
  assert.deepEqual(nodeChains(await startupGraph("cli.ts")), []);
});

Deno.test("cli.ts loads reports, snapshots, offline sources, progress and list counting only when used", async () => {
  const graph = await startupGraph("cli.ts");
  const lazy = [
    "lib/report/json_report.ts",
    "lib/report/junit_report.ts",
    "lib/report/markdown_report.ts",
    "lib/run/snapshot_run.ts",
    "lib/sources/snapshot_source.ts",
    "lib/sources/layout_source.ts",
    "lib/report/progress.ts",
    "lib/sources/oci_layout.ts",
    "lib/run/list_count.ts",
  ];
  assert.deepEqual(
    lazy.filter((module) => graph.has(module)).map((module) =>
      graph.get(module)!.join(" -> ")
    ),
    [],
  );
});

Deno.test("startupGraph() follows static imports and re-exports, not type-only or dynamic ones", async () => {
  const files: Record<string, string> = {
    "a.ts": [
      'import { b } from "./b.ts";',
      'import type { T } from "./t.ts";',
      'export { c } from "./c.ts";',
      'const lazy = await import("node:v8");',
      '/** ```ts\n * import fs from "node:fs";\n * ```\n */',
      'import { Command } from "commander";',
    ].join("\n"),
    "b.ts": 'import "node:https";\nexport const b = 1;',
    "c.ts": 'export type { U } from "./u.ts";\nexport const c = 2;',
    "t.ts": 'import "node:tls";',
    "u.ts": 'import "node:crypto";',
  };
  const graph = await startupGraph(
    "a.ts",
    (path) => Promise.resolve(files[path]!),
  );
  assert.deepEqual(nodeChains(graph), ["a.ts -> b.ts -> node:https"]);
  assert.deepEqual([...graph.keys()].sort(), [
    "a.ts",
    "b.ts",
    "c.ts",
    "commander",
    "node:https",
  ]);
});
