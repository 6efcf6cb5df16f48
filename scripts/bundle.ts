/**
 * `deno task bundle`: writes `dist/hangar.js`, the whole CLI with every npm
 * dependency inlined (`deno bundle --platform=deno`, offline: esbuild comes
 * from npm), then `dist/SHA256SUMS` for every file in dist/. The bundle runs
 * with only a `deno` binary, an empty `DENO_DIR` and no network:
 *
 * ```sh
 * deno run -q --cached-only --no-remote --no-npm --no-config <permissions> dist/hangar.js --version
 * ```
 *
 * @module
 */

/** Where the artifacts go, relative to the project root. */
export const DIST = "dist";

/** The project root (this file's parent folder). */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/**
 * The `deno` arguments that bundle `cli.ts` into `output`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bundleArgs } from "./bundle.ts";
 * assert.deepEqual(bundleArgs("dist/hangar.js"), [
 *   "bundle", "--quiet", "--platform=deno", "--packages=bundle",
 *   "--output", "dist/hangar.js", "cli.ts",
 * ]);
 * ```
 */
export function bundleArgs(output: string): string[] {
  return [
    "bundle",
    "--quiet",
    "--platform=deno",
    "--packages=bundle",
    "--output",
    output,
    "cli.ts",
  ];
}

/** esbuild's `require` for the CommonJS packages a bundle inlines. */
const REQUIRE_SHIM =
  'import { createRequire as __deno_internal_createRequire } from "node:module";\n' +
  "var __require = __deno_internal_createRequire(import.meta.url);\n";

/** The same `require`, loading a `node:` builtin on its first call. */
const LAZY_REQUIRE =
  "var __require = (id) => globalThis.process.getBuiltinModule(id);\n";

/**
 * Makes the `require` of a bundle's CommonJS packages (commander) lazy.
 * esbuild's shim imports `node:module` at the top of the bundle, which loads
 * Deno's Node layer (about 40 ms) before the first line of hangar runs, even
 * when nothing is ever required: a valid `mirror-validate` command line never
 * loads commander. The lazy shim loads each builtin on its first
 * `__require()` through `process.getBuiltinModule`, as hangar's own
 * `nodeBuiltin()` does. The code comes back unchanged when it has no such
 * shim, or when it requires anything but a `node:` builtin.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lazyNodeRequire } from "./bundle.ts";
 * const shim = 'import { createRequire as __deno_internal_createRequire } from "node:module";\n' +
 *   "var __require = __deno_internal_createRequire(import.meta.url);\n";
 * const lazy = lazyNodeRequire(`${shim}var events = __require("node:events");\n`);
 * assert(!lazy.includes('"node:module"'));
 * assert(lazy.startsWith("var __require = (id) => globalThis.process.getBuiltinModule(id);"));
 * const other = `${shim}var pkg = __require("./pkg.js");\n`;
 * assert.equal(lazyNodeRequire(other), other);
 * ```
 */
export function lazyNodeRequire(code: string): string {
  if (!code.includes(REQUIRE_SHIM)) return code;
  const required = [...code.matchAll(/__require\(([^)]*)\)/g)]
    .map((match) => match[1]!);
  if (!required.every((id) => /^"node:[a-z_/]+"$/.test(id))) return code;
  return code.replace(REQUIRE_SHIM, LAZY_REQUIRE);
}

/**
 * Bundles `cli.ts` of the checkout at `root` (with its trailing slash) into
 * `output` (absolute, or relative to `root`) with
 * {@linkcode bundleArgs}, then makes its `require` lazy
 * ({@linkcode lazyNodeRequire}). Throws with deno's own message on failure.
 *
 * @example Usage
 * ```ts ignore
 * import { bundleTo } from "./bundle.ts";
 * await bundleTo("/tmp/hangar.js");
 * ```
 */
export async function bundleTo(output: string, root = ROOT): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: bundleArgs(output),
    cwd: root,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const detail = new TextDecoder().decode(result.stderr).trim();
    throw new Error(`Cannot bundle "cli.ts": ${detail}`);
  }
  const path = output.startsWith("/") ? output : `${root}${output}`;
  await Deno.writeTextFile(
    path,
    lazyNodeRequire(await Deno.readTextFile(path)),
  );
}

/**
 * Writes `DIR/SHA256SUMS` in `sha256sum` format (`HEX  NAME`, sorted by
 * name) for every regular file in `dir` but itself, and returns its text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeChecksums } from "./bundle.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a`, "");
 * const text = await writeChecksums(dir);
 * assert.equal(
 *   text,
 *   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a\n",
 * );
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeChecksums(dir: string): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name !== "SHA256SUMS") names.push(entry.name);
  }
  names.sort();
  let text = "";
  for (const name of names) {
    const bytes = await Deno.readFile(`${dir}/${name}`);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0"))
      .join("");
    text += `${hex}  ${name}\n`;
  }
  await Deno.writeTextFile(`${dir}/SHA256SUMS`, text);
  return text;
}

/**
 * Bundles the CLI into `ROOT/dist/hangar.js` and writes the checksums;
 * returns the bundle's path. Throws with deno's own message on failure.
 *
 * @example Usage
 * ```ts ignore
 * import { bundle } from "./bundle.ts";
 * console.log(await bundle()); // ".../dist/hangar.js"
 * ```
 */
export async function bundle(): Promise<string> {
  await Deno.mkdir(`${ROOT}${DIST}`, { recursive: true });
  const output = `${DIST}/hangar.js`;
  await bundleTo(output);
  await writeChecksums(`${ROOT}${DIST}`);
  return `${ROOT}${output}`;
}

if (import.meta.main) {
  try {
    const path = await bundle();
    const size = (await Deno.stat(path)).size;
    console.log(
      `Wrote "${path}" (${Math.round(size / 1024)} KiB) and SHA256SUMS`,
    );
  } catch (error) {
    console.error(`Error: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
