/**
 * An OCI image layout directory (what `skopeo copy --all ... oci:DIR:REF`
 * writes) as the source side of a validation: lines are matched to
 * `index.json` entries by name, and blobs are read from `blobs/<alg>/<hex>`
 * and verified, with no request to any registry.
 *
 * @module
 */

import {
  hasLayoutBlob,
  isLayoutDigest,
  readLayoutBlob,
} from "./_layout_blobs.ts";
import {
  type LayoutEntry,
  type LayoutIndex,
  readLayoutIndex,
} from "./_layout_index.ts";
import { layoutReference, matchLayoutEntry } from "./_layout_match.ts";
import { RegistryError } from "../errors.ts";
import { isDigest } from "../types/digest.ts";
import { MAX_MANIFEST_BYTES, MEDIA_TYPES } from "../types/manifest.ts";
import type { ManifestSource } from "../verdict/source.ts";

/** An opened OCI image layout; see {@linkcode openOciLayout}. */
export interface OciLayout {
  /** The layout directory, as given. */
  readonly dir: string;
  /** Number of `index.json` entries with a name annotation. */
  readonly size: number;
  /**
   * The manifest source for lines whose source registry is `registry`: it
   * finds `registry/repository:tag` (or `@digest`) in the layout.
   */
  client(registry: string): ManifestSource;
}

/**
 * Opens and checks an OCI image layout: the directory must hold an
 * `oci-layout` file (`imageLayoutVersion` 1.x) and an `index.json` with a
 * `manifests` array; `index.json` is read once, here. Entries are found by
 * their `org.opencontainers.image.ref.name` (a full reference, or a bare tag
 * as `skopeo copy ... oci:DIR:TAG` writes) or `io.containerd.image.name`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { openOciLayout } from "./oci_layout.ts";
 * import { UsageError } from "../errors.ts";
 * const dir = await Deno.makeTempDir();
 * await assert.rejects(openOciLayout(dir), new UsageError(
 *   `Cannot use --source-layout "${dir}": no index.json (not an OCI image layout)`,
 * ));
 * await Deno.writeTextFile(`${dir}/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
 * await Deno.writeTextFile(`${dir}/index.json`, '{"schemaVersion":2,"manifests":[]}');
 * const layout = await openOciLayout(dir);
 * assert.equal(layout.size, 0);
 * await assert.rejects(
 *   layout.client("quay.io").resolveManifest("a/b", "1"),
 *   { kind: "not-in-snapshot", message: `"quay.io/a/b:1" is not in the OCI layout "${dir}"` },
 * );
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param dir The layout directory.
 * @returns The opened layout.
 * @throws {UsageError} When `dir` is missing, not a directory, or not an OCI
 * image layout; the message names `dir` and the problem.
 */
export async function openOciLayout(dir: string): Promise<OciLayout> {
  const index = await readLayoutIndex(dir);
  return {
    dir,
    size: index.named,
    client: (registry) => new LayoutSource(dir, index, registry),
  };
}

/** The layout read as one registry's manifest source. */
class LayoutSource implements ManifestSource {
  #dir: string;
  #index: LayoutIndex;
  #registry: string;

  constructor(dir: string, index: LayoutIndex, registry: string) {
    this.#dir = dir;
    this.#index = index;
    this.#registry = registry;
  }

  async resolveManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; mediaType: string; body?: Uint8Array }> {
    signal?.throwIfAborted();
    const ref = layoutReference(this.#registry, repository, reference);
    const entry = matchLayoutEntry(this.#index.entries, ref, this.#dir);
    if (entry !== undefined) {
      return { digest: entry.digest, mediaType: entry.mediaType };
    }
    if (
      isDigest(reference) && isLayoutDigest(reference) &&
      await hasLayoutBlob(this.#dir, reference)
    ) {
      return await this.getManifest(repository, reference, signal);
    }
    throw new RegistryError(
      "not-in-snapshot",
      `"${ref.text}" is not in the OCI layout "${this.#dir}"`,
    );
  }

  async getManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; mediaType: string; body: Uint8Array }> {
    let entry: LayoutEntry | undefined = this.#index.entries.find((e) =>
      e.digest === reference
    );
    if (entry === undefined && !isDigest(reference)) {
      const found = await this.resolveManifest(repository, reference, signal);
      entry = { ...found, names: [] };
    }
    const digest = entry?.digest ?? reference;
    const body = await readLayoutBlob(this.#dir, digest, {
      maxBytes: MAX_MANIFEST_BYTES,
      what: "manifest",
      ...(signal ? { signal } : {}),
    });
    return { digest, mediaType: entry?.mediaType ?? mediaTypeOf(body), body };
  }

  async getBlob(
    _repository: string,
    digest: string,
    options: { maxBytes?: number; signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    return await readLayoutBlob(this.#dir, digest, {
      maxBytes: options.maxBytes ?? MAX_MANIFEST_BYTES,
      what: "blob",
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
}

/**
 * The media type of a manifest read by digest: its own `mediaType`, else
 * what its shape says (an index has `manifests`, an image has `config`).
 */
function mediaTypeOf(body: Uint8Array): string {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return "";
  }
  if (typeof json !== "object" || json === null) return "";
  const fields = json as Record<string, unknown>;
  if (typeof fields.mediaType === "string") return fields.mediaType;
  if (Array.isArray(fields.manifests)) return MEDIA_TYPES.ociIndex;
  if (fields.config !== undefined) return MEDIA_TYPES.ociManifest;
  return "";
}
