/**
 * Pushes hand-built supply-chain artifacts for a subject digest, the way
 * cosign and oras lay them out: cosign's `<alg>-<hex>.sig`, `.att` and `.sbom`
 * tags, and OCI 1.1 referrers (a `subject` manifest plus the referrers tag
 * schema index). Content depends only on the subject and a seed (not on the
 * repository), so two registries or repositories get equal artifacts from one
 * seed and different ones from two.
 *
 * @module
 */

import { type PushOptions, putManifestBytes, send } from "./_push.ts";
import { ARTIFACT_TYPES, pushArtifact } from "./_artifact_push.ts";

export { ARTIFACT_TYPES };

/** Where and for what a cosign-style artifact is pushed. */
export interface ArtifactTarget {
  /** Repository of the subject. */
  repository: string;
  /** Digest of the manifest the artifact is about. */
  subject: string;
  /** Content seed: the same seed gives the same digest. @default "" */
  seed?: string;
}

/** Where and for what an OCI 1.1 referrer is pushed. */
export interface ReferrerTarget {
  /** Repository of the subject. */
  repository: string;
  /** Descriptor of the manifest the artifact refers to. */
  subject: { digest: string; mediaType: string; size: number };
  /** Content seed: the same seed gives the same digest. @default "" */
  seed?: string;
  /** The manifest's `artifactType`. @default ARTIFACT_TYPES.referrer */
  artifactType?: string;
  /** Also list it under the referrers tag schema `<alg>-<hex>` (as oras does without the API). @default true */
  tagSchema?: boolean;
}

const encoder = new TextEncoder();

/** The cosign tag of `digest`: `<alg>-<hex>.<suffix>`. */
function cosignTag(digest: string, suffix: "sig" | "att" | "sbom"): string {
  return `${digest.replace(":", "-")}.${suffix}`;
}

/**
 * Pushes a cosign signature under `<alg>-<hex>.sig`: a simple-signing layer
 * with a `dev.cosignproject.cosign/signature` annotation. Returns its digest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushCosignSignature } from "./artifacts.ts";
 * import { OciRegistry } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const subject = `sha256:${"a".repeat(64)}`;
 * const options = { fetch: (r: Request) => registry.handler(r) };
 * const one = await pushCosignSignature("http://r", { repository: "a", subject }, options);
 * const two = await pushCosignSignature("http://r", { repository: "b", subject }, options);
 * assert.equal(one, two);
 * ```
 */
export async function pushCosignSignature(
  baseUrl: string,
  target: ArtifactTarget,
  options: PushOptions = {},
): Promise<string> {
  const payload = {
    critical: {
      identity: { "docker-reference": `image-${target.seed ?? ""}` },
      image: { "docker-manifest-digest": target.subject },
      type: "cosign container image signature",
    },
    optional: { seed: target.seed ?? "" },
  };
  const signature = btoa(`signature of ${target.subject} ${target.seed ?? ""}`);
  return (await pushArtifact(baseUrl, target.repository, {
    tag: cosignTag(target.subject, "sig"),
    layer: {
      mediaType: ARTIFACT_TYPES.signature,
      bytes: encoder.encode(JSON.stringify(payload)),
      annotations: { "dev.cosignproject.cosign/signature": signature },
    },
  }, options)).digest;
}

/**
 * Pushes a cosign attestation under `<alg>-<hex>.att`: a DSSE envelope of an
 * in-toto statement about the subject. Returns its digest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushCosignAttestation } from "./artifacts.ts";
 * import { OciRegistry } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const subject = `sha256:${"a".repeat(64)}`;
 * const options = { fetch: (r: Request) => registry.handler(r) };
 * const one = await pushCosignAttestation("http://r", { repository: "a", subject, seed: "1" }, options);
 * const two = await pushCosignAttestation("http://r", { repository: "a", subject, seed: "2" }, options);
 * assert.notEqual(one, two);
 * ```
 */
export async function pushCosignAttestation(
  baseUrl: string,
  target: ArtifactTarget,
  options: PushOptions = {},
): Promise<string> {
  const predicateType = "https://slsa.dev/provenance/v0.2";
  const statement = {
    _type: "https://in-toto.io/Statement/v0.1",
    predicateType,
    subject: [{
      name: `image-${target.seed ?? ""}`,
      digest: { sha256: target.subject.split(":")[1] },
    }],
    predicate: { seed: target.seed ?? "" },
  };
  const envelope = {
    payloadType: "application/vnd.in-toto+json",
    payload: btoa(JSON.stringify(statement)),
    signatures: [{ keyid: "", sig: btoa(`sig ${target.seed ?? ""}`) }],
  };
  return (await pushArtifact(baseUrl, target.repository, {
    tag: cosignTag(target.subject, "att"),
    layer: {
      mediaType: ARTIFACT_TYPES.attestation,
      bytes: encoder.encode(JSON.stringify(envelope)),
      annotations: { predicateType },
    },
  }, options)).digest;
}

/**
 * Pushes an SBOM the way `cosign attach sbom` does, under `<alg>-<hex>.sbom`:
 * an SPDX JSON layer. Returns its digest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushCosignSbom } from "./artifacts.ts";
 * import { OciRegistry } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const subject = `sha256:${"a".repeat(64)}`;
 * const digest = await pushCosignSbom("http://r", { repository: "a", subject }, {
 *   fetch: (r: Request) => registry.handler(r),
 * });
 * const res = await registry.handler(new Request(`http://r/v2/a/manifests/sha256-${"a".repeat(64)}.sbom`));
 * assert.equal(res.headers.get("docker-content-digest"), digest);
 * await res.body?.cancel();
 * ```
 */
export async function pushCosignSbom(
  baseUrl: string,
  target: ArtifactTarget,
  options: PushOptions = {},
): Promise<string> {
  const sbom = {
    spdxVersion: "SPDX-2.3",
    SPDXID: "SPDXRef-DOCUMENT",
    name: `image-${target.seed ?? ""}@${target.subject}`,
    comment: `seed ${target.seed ?? ""}`,
    packages: [],
  };
  return (await pushArtifact(baseUrl, target.repository, {
    tag: cosignTag(target.subject, "sbom"),
    layer: {
      mediaType: ARTIFACT_TYPES.sbom,
      bytes: encoder.encode(JSON.stringify(sbom)),
    },
  }, options)).digest;
}

/**
 * Pushes an OCI 1.1 referrer (a manifest with `subject` and `artifactType`,
 * the empty config, one layer) by digest and, unless `tagSchema` is false,
 * adds it to the referrers tag schema index `<alg>-<hex>` (read, extended,
 * written back). Returns its digest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushReferrer } from "./artifacts.ts";
 * import { OciRegistry } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const subject = { digest: `sha256:${"a".repeat(64)}`, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 9 };
 * const digest = await pushReferrer("http://r", { repository: "a", subject }, {
 *   fetch: (r: Request) => registry.handler(r),
 * });
 * const res = await registry.handler(new Request(`http://r/v2/a/manifests/sha256-${"a".repeat(64)}`));
 * assert.equal((await res.json()).manifests[0].digest, digest);
 * ```
 */
export async function pushReferrer(
  baseUrl: string,
  target: ReferrerTarget,
  options: PushOptions = {},
): Promise<string> {
  const artifactType = target.artifactType ?? ARTIFACT_TYPES.referrer;
  const { digest, mediaType, size } = target.subject;
  const layer = encoder.encode(
    JSON.stringify({ about: digest, seed: target.seed ?? "" }),
  );
  const body = await pushArtifact(baseUrl, target.repository, {
    layer: { mediaType: artifactType, bytes: layer },
    artifactType,
    subject: { mediaType, digest, size },
  }, options);
  const pushed = body.digest;
  if (target.tagSchema === false) return pushed;
  const tag = `${digest.replace(":", "-")}`;
  const url = `${baseUrl}/v2/${target.repository}/manifests/${tag}`;
  const old = await send("GET", url, options, {
    expected: [200, 404],
    headers: { Accept: ARTIFACT_TYPES.index },
  });
  const manifests = old.status === 200 ? (await old.json()).manifests : [];
  if (old.status !== 200) await old.body?.cancel();
  if (!manifests.some((m: { digest: string }) => m.digest === pushed)) {
    manifests.push({
      mediaType: ARTIFACT_TYPES.manifest,
      digest: pushed,
      size: body.bytes.length,
      artifactType,
    });
  }
  const index = {
    schemaVersion: 2,
    mediaType: ARTIFACT_TYPES.index,
    manifests,
  };
  await putManifestBytes(
    baseUrl,
    { repository: target.repository, reference: tag },
    encoder.encode(JSON.stringify(index)),
    ARTIFACT_TYPES.index,
    options,
  );
  return pushed;
}
