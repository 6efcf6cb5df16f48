/**
 * Opens an OCI image layout: checks the directory, `index.json` and
 * `oci-layout`, and keeps the `index.json` entries by name, bare tag and
 * digest. Every problem is one UsageError naming the directory.
 *
 * @module
 */

import { isLayoutDigest } from "./_layout_blobs.ts";
import {
  errorMessage,
  fileErrorReason,
  isNotFound,
  UsageError,
} from "../errors.ts";
import { formatReference, isTag, parseReference } from "../types/reference.ts";

/** The annotation `skopeo copy ... oci:DIR:REF` writes REF to. */
export const REF_NAME = "org.opencontainers.image.ref.name";
/** The annotation containerd writes the full image name to. */
export const CONTAINERD_NAME = "io.containerd.image.name";

/** An `index.json` entry. */
export interface LayoutEntry {
  /** Digest of the manifest. */
  digest: string;
  /** Media type of the descriptor. */
  mediaType: string;
  /** Full references naming it, normalised (see {@linkcode normalizeName}). */
  names: string[];
  /** The bare tag of its `ref.name`, when that is a tag. */
  tag?: string;
}

/** The entries of a layout's `index.json`. */
export interface LayoutIndex {
  /** Entries in file order. */
  entries: LayoutEntry[];
  /** Entries with a name annotation. */
  named: number;
}

/**
 * A full reference with a tag or digest, normalised so that
 * `nginx:1.25`, `library/nginx:1.25` and `docker.io/library/nginx:1.25` are
 * one; `undefined` for anything else (a bare tag, a name without a tag).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeName } from "./_layout_index.ts";
 * assert.equal(normalizeName("nginx:1.25"), "docker.io/library/nginx:1.25");
 * assert.equal(normalizeName("1.25"), undefined);
 * ```
 */
export function normalizeName(text: string): string | undefined {
  try {
    const ref = parseReference(text);
    if (ref.tag === undefined && ref.digest === undefined) return undefined;
    return formatReference(ref);
  } catch {
    return undefined;
  }
}

/**
 * Checks the layout `dir` and reads its `index.json`, once.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLayoutIndex } from "./_layout_index.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
 * await Deno.writeTextFile(`${dir}/index.json`, JSON.stringify({ manifests: [{
 *   mediaType: "application/vnd.oci.image.index.v1+json",
 *   digest: `sha256:${"a".repeat(64)}`,
 *   annotations: { "org.opencontainers.image.ref.name": "1.25" },
 * }] }));
 * const index = await readLayoutIndex(dir);
 * assert.equal(index.named, 1);
 * assert.equal(index.entries[0]?.tag, "1.25");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @throws {UsageError} When `dir` is not a readable OCI image layout.
 */
export async function readLayoutIndex(dir: string): Promise<LayoutIndex> {
  const problem = (detail: string) =>
    new UsageError(`Cannot use --source-layout "${dir}": ${detail}`);
  const info = await Deno.stat(dir).catch((error) => {
    throw problem(
      isNotFound(error)
        ? "directory does not exist"
        : `cannot read it: ${fileErrorReason(error)}`,
    );
  });
  if (!info.isDirectory) throw problem("not a directory");
  const base = dir.replace(/\/+$/, "");
  const indexText = await readText(`${base}/index.json`, "index.json", problem);
  const layoutText = await readText(
    `${base}/oci-layout`,
    "oci-layout",
    problem,
  );
  const layout = parseJson(layoutText, "oci-layout", problem);
  const version = isObject(layout) ? layout.imageLayoutVersion : undefined;
  if (typeof version !== "string" || !/^1\.\d+\.\d+$/.test(version)) {
    throw problem(
      `oci-layout has imageLayoutVersion ${
        typeof version === "string" ? `"${version}"` : "missing"
      }, expected "1.0.0"`,
    );
  }
  const index = parseJson(indexText, "index.json", problem);
  if (!isObject(index) || !Array.isArray(index.manifests)) {
    throw problem('index.json is not an OCI image index: no "manifests" array');
  }
  const entries = index.manifests.map((raw, i) => {
    const entry = readEntry(raw);
    if (typeof entry === "string") {
      throw problem(`index.json manifests[${i}] ${entry}`);
    }
    return entry;
  });
  const named = index.manifests.filter((raw) => {
    const annotations = isObject(raw) ? raw.annotations : undefined;
    return isObject(annotations) &&
      (typeof annotations[REF_NAME] === "string" ||
        typeof annotations[CONTAINERD_NAME] === "string");
  }).length;
  return { entries, named };
}

/** An entry, or what is wrong with it. */
function readEntry(raw: unknown): LayoutEntry | string {
  if (!isObject(raw)) return "is not an object";
  const { digest, mediaType } = raw;
  if (typeof digest !== "string" || !isLayoutDigest(digest)) {
    return `has no sha256 or sha512 digest`;
  }
  if (typeof mediaType !== "string" || mediaType === "") {
    return "has no mediaType";
  }
  const entry: LayoutEntry = { digest, mediaType, names: [] };
  const annotations = isObject(raw.annotations) ? raw.annotations : {};
  for (const key of [REF_NAME, CONTAINERD_NAME]) {
    const value = annotations[key];
    if (typeof value !== "string") continue;
    const name = normalizeName(value);
    if (name !== undefined) entry.names.push(name);
    else if (key === REF_NAME && isTag(value)) entry.tag = value;
  }
  return entry;
}

async function readText(
  path: string,
  name: string,
  problem: (detail: string) => UsageError,
): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw problem(
      isNotFound(error)
        ? `no ${name} (not an OCI image layout)`
        : `cannot read ${name}: ${fileErrorReason(error)}`,
    );
  }
}

function parseJson(
  text: string,
  name: string,
  problem: (detail: string) => UsageError,
): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw problem(`${name} is not JSON: ${errorMessage(error)}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
