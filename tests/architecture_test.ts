// The layer order of lib/, read from the import graph: imports run one way,
// from the CLI down to the pure types, with no cycle (type-only imports too),
// and a `_private` file is imported only from its own folder.

import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), ".."));

/** Layers from the bottom up; a module may import its own layer or lower. */
const LAYERS: readonly (readonly [string, RegExp])[] = [
  ["config", /^deno\.json$/],
  ["types", /^lib\/types\//],
  ["errors", /^lib\/errors\.ts$/],
  ["list", /^lib\/list\//],
  ["transport", /^lib\/transport\//],
  ["auth", /^lib\/auth\//],
  ["registry", /^lib\/(registry\/|registry\.ts$)/],
  ["verdict", /^lib\/(verdict\/|compare\.ts$)/],
  ["report", /^lib\/report\//],
  ["sources", /^lib\/sources\//],
  ["run", /^lib\/run\//],
  ["cli", /^(lib\/cli\/|cli\.ts$)/],
  ["mod", /^mod\.ts$/],
];

/** The layer index of a module path relative to the root. */
export function layerOf(path: string): number {
  const index = LAYERS.findIndex(([, pattern]) => pattern.test(path));
  if (index < 0) throw new RangeError(`No layer for "${path}"`);
  return index;
}

/** Strips comments so that doc examples do not count as imports. */
export function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(
    /^\s*\/\/.*$/gm,
    "",
  );
}

/** The relative module specifiers a source file imports or re-exports. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;
  for (const match of stripComments(source).matchAll(pattern)) {
    found.push((match[1] ?? match[2])!);
  }
  return found;
}

async function walk(dir: string, out: string[]): Promise<void> {
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await walk(path, out);
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
}

async function graph(): Promise<Map<string, string[]>> {
  const files: string[] = ["mod.ts", "cli.ts"];
  await walk("lib", files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const source = await Deno.readTextFile(join(ROOT, file));
    edges.set(
      file,
      importsOf(source).map((spec) =>
        relative(ROOT, join(ROOT, dirname(file), spec))
      ),
    );
  }
  return edges;
}

/** Every cycle's path, as "a -> b -> a". */
export function findCycles(edges: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") {
        cycles.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...edges.keys()].sort()) {
    if (!state.has(node)) visit(node);
  }
  return cycles;
}

/** Imports that go against the layer order or into another folder's privates. */
export function layerViolations(edges: Map<string, string[]>): string[] {
  const wrong: string[] = [];
  for (const [from, targets] of edges) {
    for (const to of targets) {
      if (layerOf(to) > layerOf(from)) {
        wrong.push(
          `${from} (${LAYERS[layerOf(from)]![0]}) imports ${to} (${
            LAYERS[layerOf(to)]![0]
          })`,
        );
      }
      const name = to.split("/").at(-1)!;
      if (name.startsWith("_") && dirname(to) !== dirname(from)) {
        wrong.push(`${from} imports ${to}, a private file of another folder`);
      }
    }
  }
  return wrong;
}

Deno.test("lib/ imports run one way: cli -> run -> report -> verdict -> registry -> auth -> transport -> list -> errors -> types", async () => {
  assert.deepEqual(layerViolations(await graph()), []);
});

Deno.test("lib/ has no import cycle, type-only imports included", async () => {
  assert.deepEqual(findCycles(await graph()), []);
});

Deno.test("lib/ keeps at most ten files at its top level", async () => {
  const top: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, "lib"))) {
    if (entry.isFile) top.push(entry.name);
  }
  assert.ok(top.length <= 10, `lib/ has ${top.length} files: ${top.sort()}`);
});

Deno.test("layerViolations() reports an upward import and a foreign private file", () => {
  const edges = new Map([
    ["lib/types/platform.ts", ["lib/verdict/compare.ts"]],
    ["lib/verdict/compare.ts", ["lib/registry/_request.ts"]],
  ]);
  assert.deepEqual(layerViolations(edges), [
    "lib/types/platform.ts (types) imports lib/verdict/compare.ts (verdict)",
    "lib/verdict/compare.ts imports lib/registry/_request.ts, a private file of another folder",
  ]);
});

Deno.test("findCycles() finds a cycle made of type-only imports", () => {
  const source =
    'import type { A } from "./a.ts";\nexport type { B } from "./b.ts";';
  assert.deepEqual(importsOf(source), ["./a.ts", "./b.ts"]);
  const edges = new Map([
    ["lib/a.ts", ["lib/b.ts"]],
    ["lib/b.ts", ["lib/a.ts"]],
  ]);
  assert.deepEqual(findCycles(edges), ["lib/a.ts -> lib/b.ts -> lib/a.ts"]);
});

Deno.test("importsOf() ignores imports inside doc comments", () => {
  const source =
    '/**\n * ```ts\n * import { x } from "./x.ts";\n * ```\n */\nimport { y } from "./y.ts";';
  assert.deepEqual(importsOf(source), ["./y.ts"]);
});
