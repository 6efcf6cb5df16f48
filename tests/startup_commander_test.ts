// A valid command line never loads commander (its module body pulls in
// Node's events, child_process, path, fs and process: tens of milliseconds
// of Node-compat start-up). cli.ts reaches it only through `import()` of
// lib/cli/commander_program.ts, when the fast parser declines.

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const COMMANDER = new Set(["@commander-js/extra-typings", "commander"]);

/** Drops comments, so that doc examples do not count as imports. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/**
 * The specifiers a module loads when it is evaluated: static `import ...
 * from`, `import "..."` and `export ... from`, without `import type`,
 * `export type` and `import()`.
 */
function staticImportsOf(source: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:^|[\s;])(import|export)(\s+type\b)?\s*(?:[\w\s{},*$]*?\s*from\s*)?["']([^"']+)["']/g;
  for (const match of stripComments(source).matchAll(pattern)) {
    if (match[2] === undefined) found.push(match[3]!);
  }
  return found;
}

/** Each chain from `entry` to a commander specifier, as "a.ts -> b.ts -> commander". */
async function commanderChains(entry: string): Promise<string[]> {
  const chains: string[] = [];
  const seen = new Set<string>();
  const visit = async (url: URL, chain: string[]) => {
    if (seen.has(url.href) || !url.pathname.endsWith(".ts")) return;
    seen.add(url.href);
    const here = [...chain, url.href.slice(ROOT.href.length)];
    for (const specifier of staticImportsOf(await Deno.readTextFile(url))) {
      if (COMMANDER.has(specifier) || specifier.startsWith("npm:commander")) {
        chains.push([...here, specifier].join(" -> "));
      } else if (specifier.startsWith(".")) {
        await visit(new URL(specifier, url), here);
      }
    }
  };
  await visit(new URL(entry, ROOT), []);
  return chains;
}

Deno.test("cli.ts reaches no commander module through static imports", async () => {
  assert.deepEqual(await commanderChains("cli.ts"), []);
});

Deno.test("staticImportsOf() skips import type and import() but keeps re-exports", () => {
  const source = [
    'import { Command } from "commander";',
    'import type { X } from "./x.ts";',
    'export { y } from "./y.ts";',
    'export type { Z } from "./z.ts";',
    'const m = await import("./m.ts");',
    'import "./side.ts";',
    '// import { no } from "./comment.ts";',
  ].join("\n");
  assert.deepEqual(staticImportsOf(source), [
    "commander",
    "./y.ts",
    "./side.ts",
  ]);
});

Deno.test("the commander program is what cli.ts loads when the fast parser declines", async () => {
  const chains = await commanderChains("lib/cli/commander_program.ts");
  assert(
    chains.includes(
      "lib/cli/commander_program.ts -> @commander-js/extra-typings",
    ),
    chains.join("\n"),
  );
});
