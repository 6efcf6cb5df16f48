/**
 * `--deep`: will a pull succeed? Every selected platform manifest of the
 * destination is read by digest, and every blob it names (config and
 * layers) is checked with a HEAD in the destination repository, once per
 * (registry, repository, digest) in a run. Foreign layers (with `urls`) are
 * not required; no blob body is downloaded.
 *
 * @module
 */

import { errorMessage, RegistryError } from "../errors.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { parseManifest } from "../types/manifest.ts";
import { formatPlatform, isSelected } from "../types/platform.ts";
import type { PlatformSelection } from "../types/platform.ts";
import type { ImageReference } from "../types/reference.ts";
import type { Verdict } from "./compare.ts";
import type { ManifestSource, ResolvedImage } from "./source.ts";

/** Blob checks remembered in a run; the oldest are forgotten beyond it. */
const REMEMBERED_BLOBS = 200_000;

/**
 * The blob checks of one run, shared by its images: each (registry,
 * repository, digest) is asked once, however many images name it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlobChecks } from "./deep_check.ts";
 * let heads = 0;
 * const checks = new BlobChecks();
 * const client = { blobExists: () => Promise.resolve(++heads > 0) };
 * assert.deepEqual(await checks.exists(client, "r.io", "a", "sha256:1"), { present: true, fresh: true });
 * assert.deepEqual(await checks.exists(client, "r.io", "a", "sha256:1"), { present: true, fresh: false });
 * assert.equal(heads, 1);
 * ```
 */
export class BlobChecks {
  #known = new Map<string, Promise<boolean>>();

  /** Whether `repository` of `registry` holds `digest`; `fresh` when this call asked. */
  async exists(
    client: Pick<ManifestSource, "blobExists">,
    registry: string,
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<{ present: boolean; fresh: boolean }> {
    if (client.blobExists === undefined) {
      throw new RegistryError(
        "internal",
        "this source cannot check blobs (--deep)",
      );
    }
    const key = `${registry}/${repository}@${digest}`;
    for (;;) {
      let known = this.#known.get(key);
      const fresh = known === undefined;
      if (known === undefined) {
        known = client.blobExists(repository, digest, signal);
        this.#remember(key, known);
      }
      try {
        return { present: await known, fresh };
      } catch (error) {
        // Another image's request was stopped by that image's limit: ask
        // again under this image's own.
        if (!fresh && !signal?.aborted && isAbort(error)) continue;
        throw error;
      }
    }
  }

  #remember(key: string, known: Promise<boolean>) {
    this.#known.set(key, known);
    known.catch(() => {
      if (this.#known.get(key) === known) this.#known.delete(key);
    });
    while (this.#known.size > REMEMBERED_BLOBS) {
      this.#known.delete(this.#known.keys().next().value!);
    }
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException &&
    (error.name === "AbortError" || error.name === "TimeoutError");
}

/** What `--deep` checked for one image. */
export interface DeepChecks {
  /** Platform manifests read by digest. */
  manifestsRead: number;
  /** Blobs asked about with a HEAD by this image. */
  blobsChecked: number;
  /** Blobs already known from another image of the run. */
  blobsSeen: number;
  /** Foreign layers (with URLs) not required. */
  blobsForeign: number;
}

/** Options of {@linkcode checkDeep}. */
export interface CheckDeepOptions {
  /** The destination registry (the key of the blob checks). */
  registry: string;
  /** The platforms that count. */
  selection: PlatformSelection;
  /** The run's blob checks. */
  blobs: BlobChecks;
  /** Aborts the checks. */
  signal?: AbortSignal | undefined;
}

/**
 * Reads every selected platform manifest of a destination image that passed
 * by digest and checks each blob it names: a FAIL of kind `blob-missing`
 * naming platform, digest, media type and size for the blobs that are not
 * there, or `missing` for a platform manifest that cannot be fetched.
 */
export async function checkDeep(
  client: ManifestSource,
  ref: ImageReference,
  top: ResolvedImage,
  options: CheckDeepOptions,
): Promise<{ verdict?: Verdict; checks: DeepChecks }> {
  const checks: DeepChecks = {
    manifestsRead: 0,
    blobsChecked: 0,
    blobsSeen: 0,
    blobsForeign: 0,
  };
  const images: { label: string; manifest: ResolvedImage["manifest"] }[] = [];
  if (top.manifest.kind === "index") {
    const entries = top.manifest.manifests.filter((entry) =>
      isSelected(entry.platform, options.selection)
    );
    // Every platform manifest at once; the first missing one, in index
    // order, is the verdict.
    const fetched = await Promise.allSettled(
      entries.map((entry) =>
        client.getManifest(ref.repository, entry.digest, options.signal)
      ),
    );
    for (const [i, entry] of entries.entries()) {
      const label = formatPlatform(entry.platform!);
      const answer = fetched[i]!;
      if (answer.status === "rejected") {
        const error = answer.reason;
        if (error instanceof RegistryError && error.kind === "missing") {
          return {
            checks,
            verdict: {
              status: "failed",
              kind: "missing",
              reason:
                `destination: ${label} manifest ${entry.digest} cannot be pulled by digest: it does not exist`,
            },
          };
        }
        throw error;
      }
      checks.manifestsRead++;
      try {
        images.push({
          label,
          manifest: parseManifest(answer.value.body, answer.value.mediaType),
        });
      } catch (error) {
        throw new RegistryError(
          "invalid-manifest",
          `${label} manifest is invalid: ${errorMessage(error)}`,
        );
      }
    }
  } else {
    images.push({
      label: top.platform ? formatPlatform(top.platform) : "image",
      manifest: top.manifest,
    });
  }
  // Every blob of every platform at once; the missing ones in order.
  const perImage = await Promise.all(images.map(({ label, manifest }) => {
    if (manifest.kind !== "image") return [];
    const blobs: [string, Descriptor][] = [
      ["config", manifest.config],
      ...manifest.layers.map((l): [string, Descriptor] => ["layer", l]),
    ];
    return Promise.all(blobs.map(async ([role, blob]) => {
      if (role === "layer" && blob.urls !== undefined) {
        checks.blobsForeign++;
        return undefined;
      }
      const { present, fresh } = await options.blobs.exists(
        client,
        options.registry,
        ref.repository,
        blob.digest,
        options.signal,
      );
      if (fresh) checks.blobsChecked++;
      else checks.blobsSeen++;
      return present
        ? undefined
        : `${label} ${role} ${blob.digest} (${
          blob.mediaType || "no media type"
        }, ${blob.size} bytes)`;
    }));
  }));
  const missing = perImage.flat().filter((a): a is string => a !== undefined);
  if (missing.length === 0) return { checks };
  return {
    checks,
    verdict: {
      status: "failed",
      kind: "blob-missing",
      reason: `destination is missing ${
        missing.length === 1 ? "a blob" : `${missing.length} blobs`
      }: ${missing.join("; ")}`,
    },
  };
}
