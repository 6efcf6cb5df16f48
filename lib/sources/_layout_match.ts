/**
 * Which `index.json` entry of an OCI layout a line's source reference names:
 * a full-reference name first, then a bare tag, or any entry of the digest.
 *
 * @module
 */

import { type LayoutEntry, normalizeName } from "./_layout_index.ts";
import { RegistryError } from "../errors.ts";
import { isDigest } from "../types/digest.ts";
import {
  DEFAULT_REGISTRY,
  formatReference,
  type ImageReference,
  normalizeRegistry,
} from "../types/reference.ts";

/** A line's source reference, as the layout looks it up. */
export interface LayoutReference {
  /** `registry/repository:tag` or `@digest`, for messages. */
  text: string;
  /** The same, normalised as entry names are. */
  name: string;
  /** The tag, when the reference is one. */
  tag?: string;
  /** The digest, when the reference is one. */
  digest?: string;
}

/**
 * The reference `registry/repository` + `:tag` or `@digest` (by the shape of
 * `reference`), with its normalised form.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { layoutReference } from "./_layout_match.ts";
 * assert.deepEqual(layoutReference("docker.io", "nginx", "1.25"), {
 *   text: "docker.io/nginx:1.25",
 *   name: "docker.io/library/nginx:1.25",
 *   tag: "1.25",
 * });
 * ```
 */
export function layoutReference(
  registry: string,
  repository: string,
  reference: string,
): LayoutReference {
  let host = registry;
  try {
    host = normalizeRegistry(registry);
  } catch {
    // an odd registry name is compared as it is
  }
  const path = host === DEFAULT_REGISTRY && !repository.includes("/")
    ? `library/${repository}`
    : repository;
  const ref: ImageReference = { registry: host, repository: path };
  if (isDigest(reference)) ref.digest = reference;
  else ref.tag = reference;
  const text = formatReference({ ...ref, registry, repository });
  const found: LayoutReference = {
    text,
    name: normalizeName(formatReference(ref)) ?? formatReference(ref),
  };
  if (ref.tag !== undefined) found.tag = ref.tag;
  if (ref.digest !== undefined) found.digest = ref.digest;
  return found;
}

/**
 * The entry `ref` names: for a digest, the first entry of that digest; for a
 * tag, the entry whose name is the full reference, else the entry whose bare
 * tag is the tag; `undefined` when none.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { layoutReference, matchLayoutEntry } from "./_layout_match.ts";
 * const digest = `sha256:${"a".repeat(64)}`;
 * const entries = [{ digest, mediaType: "m", names: [], tag: "1" }];
 * const ref = layoutReference("quay.io", "a/b", "1");
 * assert.equal(matchLayoutEntry(entries, ref, "/l")?.digest, digest);
 * ```
 *
 * @throws {RegistryError} "not-in-snapshot" when the full reference, or the
 * bare tag, names more than one manifest.
 */
export function matchLayoutEntry(
  entries: readonly LayoutEntry[],
  ref: LayoutReference,
  dir: string,
): LayoutEntry | undefined {
  if (ref.digest !== undefined) {
    return entries.find((e) => e.digest === ref.digest);
  }
  const byName = entries.filter((e) => e.names.includes(ref.name));
  if (byName.length > 0) {
    return single(byName, ref, dir, "its full reference", "");
  }
  const byTag = entries.filter((e) => e.tag === ref.tag);
  if (byTag.length > 0) {
    const how = `the bare tag "${ref.tag}"`;
    return single(
      byTag,
      ref,
      dir,
      how,
      ": name the images with full references",
    );
  }
  return undefined;
}

function single(
  found: LayoutEntry[],
  ref: LayoutReference,
  dir: string,
  how: string,
  advice: string,
): LayoutEntry {
  const digests = [...new Set(found.map((e) => e.digest))];
  if (digests.length === 1) return found[0]!;
  throw new RegistryError(
    "not-in-snapshot",
    `"${ref.text}" is ambiguous in the OCI layout "${dir}": ${how} names ${digests.length} different manifests (${
      digests.map((d) => `"${d}"`).join(", ")
    })${advice}`,
  );
}
