/**
 * `--provenance=true` (hangar v1.7+): the BuildKit attestation manifests of
 * the selected platforms travel with the image. An attestation entry of an
 * index is `unknown/unknown` with the annotations
 * `vnd.docker.reference.type: attestation-manifest` and
 * `vnd.docker.reference.digest: <the platform manifest it attests>`.
 *
 * @module
 */

import type { Descriptor } from "../types/descriptor.ts";
import type { Verdict } from "./compare.ts";
import type { PlatformSpec } from "./platform_specs.ts";
import type { ResolvedImage } from "./source.ts";
import { formatPlatform } from "../types/platform.ts";

const REFERENCE_TYPE = "vnd.docker.reference.type";
const REFERENCE_DIGEST = "vnd.docker.reference.digest";

/**
 * The attestation entries of `index` that attest one of the `selected`
 * platform entries.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectedAttestations } from "./provenance.ts";
 * const a = "sha256:" + "a".repeat(64);
 * const att = {
 *   mediaType: "application/vnd.oci.image.manifest.v1+json", digest: "sha256:" + "b".repeat(64), size: 1,
 *   platform: { architecture: "unknown", os: "unknown" },
 *   annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": a },
 * };
 * assert.deepEqual(selectedAttestations([att], [{ digest: a }]), [att]);
 * assert.deepEqual(selectedAttestations([att], []), []);
 * ```
 */
export function selectedAttestations(
  entries: readonly Descriptor[],
  selected: readonly Pick<PlatformSpec, "digest">[],
): Descriptor[] {
  const digests = new Set(selected.map((spec) => spec.digest));
  return entries.filter((entry) =>
    entry.annotations?.[REFERENCE_TYPE] === "attestation-manifest" &&
    digests.has(entry.annotations[REFERENCE_DIGEST] ?? "")
  );
}

/**
 * The FAIL of an image whose destination lacks an attestation manifest of a
 * selected platform (kind `referrer-missing`), or undefined when every one is
 * there with the same digest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { provenanceFailure } from "./provenance.ts";
 * const a = "sha256:" + "a".repeat(64);
 * const b = "sha256:" + "b".repeat(64);
 * const index = (manifests: object[]) => ({
 *   digest: "sha256:" + "1".repeat(64),
 *   manifest: { kind: "index" as const, mediaType: "m", manifests: manifests as never },
 * });
 * const amd64 = { mediaType: "m", digest: a, size: 1, platform: { architecture: "amd64", os: "linux" } };
 * const att = { mediaType: "m", digest: b, size: 1, platform: { architecture: "unknown", os: "unknown" },
 *   annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": a } };
 * const srcSpec = [{ digest: a, platform: amd64.platform }];
 * assert.equal(provenanceFailure(index([amd64, att]), index([amd64, att]), srcSpec), undefined);
 * assert.equal(
 *   provenanceFailure(index([amd64, att]), index([amd64]), srcSpec)?.status === "failed" &&
 *     provenanceFailure(index([amd64, att]), index([amd64]), srcSpec)?.reason,
 *   `attestation missing in destination: linux/amd64 attestation manifest ${b}`,
 * );
 * ```
 */
export function provenanceFailure(
  source: ResolvedImage,
  destination: ResolvedImage,
  srcSpec: readonly PlatformSpec[],
): Verdict | undefined {
  if (source.manifest.kind !== "index") return undefined;
  const wanted = selectedAttestations(source.manifest.manifests, srcSpec);
  if (wanted.length === 0) return undefined;
  const held = new Set(
    destination.manifest.kind === "index"
      ? destination.manifest.manifests.map((entry) => entry.digest)
      : [],
  );
  const missing = wanted.filter((entry) => !held.has(entry.digest));
  if (missing.length === 0) return undefined;
  const label = (entry: Descriptor) => {
    const attested = entry.annotations?.[REFERENCE_DIGEST];
    const spec = srcSpec.find((s) => s.digest === attested);
    return `${
      spec?.platform ? formatPlatform(spec.platform) : attested
    } attestation manifest ${entry.digest}`;
  };
  return {
    status: "failed",
    kind: "referrer-missing",
    reason: `attestation missing in destination: ${
      missing.map(label).join("; ")
    }`,
  };
}
