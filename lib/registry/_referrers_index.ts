/**
 * Reading a referrers list (an OCI index, from the referrers API or the
 * referrers tag schema) strictly, unknown fields ignored. Private helper of
 * _referrers.ts.
 *
 * @module
 */
import type { Descriptor } from "../types/descriptor.ts";
import { isDigest } from "../types/digest.ts";
import { redactUrl, RegistryError } from "../errors.ts";

/** A referrer: its descriptor with the artifact type the registry or client recorded. */
export interface ReferrerDescriptor extends Descriptor {
  /** The artifact's type (`artifactType`, else its config's media type); absent when not given. */
  artifactType?: string;
}

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/**
 * Parses a referrers list: an OCI index (`schemaVersion` 2 and the OCI index
 * media type when given) whose `manifests` are descriptors with a media
 * type, a valid digest and a size, and optionally an `artifactType` and
 * string `annotations`. Anything else is an "invalid-manifest" RegistryError
 * naming `url`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseReferrersIndex } from "./_referrers_index.ts";
 * const digest = `sha256:${"a".repeat(64)}`;
 * const body = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.index.v1+json",
 *   manifests: [{
 *     mediaType: "application/vnd.oci.image.manifest.v1+json",
 *     digest,
 *     size: 7,
 *     artifactType: "application/spdx+json",
 *     extra: true,
 *   }],
 * }));
 * assert.deepEqual(parseReferrersIndex(body, "https://r.io/v2/a/referrers/x"), [{
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest,
 *   size: 7,
 *   artifactType: "application/spdx+json",
 * }]);
 * assert.throws(
 *   () => parseReferrersIndex(new TextEncoder().encode("{}"), "https://r.io/x"),
 *   { message: 'GET "https://r.io/x": referrers list is not valid: manifests is not an array' },
 * );
 * ```
 */
export function parseReferrersIndex(
  body: Uint8Array,
  url: string,
): ReferrerDescriptor[] {
  const invalid = (detail: string): never => {
    throw new RegistryError(
      "invalid-manifest",
      `GET "${redactUrl(url)}": referrers list is not valid: ${detail}`,
      { method: "GET", url },
    );
  };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    invalid("body is not UTF-8 JSON");
  }
  if (!isObject(json)) return invalid("body is not a JSON object");
  const { schemaVersion, mediaType, manifests } = json;
  if (schemaVersion !== undefined && schemaVersion !== 2) {
    invalid(`schemaVersion is ${JSON.stringify(schemaVersion)}, not 2`);
  }
  if (mediaType !== undefined && mediaType !== OCI_INDEX) {
    invalid(`mediaType is ${JSON.stringify(mediaType)}, not "${OCI_INDEX}"`);
  }
  if (!Array.isArray(manifests)) return invalid("manifests is not an array");
  return manifests.map((entry, i) =>
    readReferrer(entry, `manifests[${i}]`, invalid)
  );
}

function readReferrer(
  entry: unknown,
  where: string,
  invalid: (detail: string) => never,
): ReferrerDescriptor {
  if (!isObject(entry)) return invalid(`${where} is not an object`);
  const { mediaType, digest, size, artifactType, annotations } = entry;
  if (typeof mediaType !== "string" || mediaType === "") {
    invalid(`${where}.mediaType is not a non-empty string`);
  }
  if (typeof digest !== "string" || !isDigest(digest)) {
    invalid(`${where}.digest ${JSON.stringify(digest)} is not a valid digest`);
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    invalid(`${where}.size is not a non-negative integer`);
  }
  const referrer: ReferrerDescriptor = {
    mediaType: mediaType as string,
    digest: digest as string,
    size: size as number,
  };
  if (artifactType !== undefined) {
    if (typeof artifactType !== "string") {
      invalid(`${where}.artifactType is not a string`);
    }
    if (artifactType !== "") referrer.artifactType = artifactType as string;
  }
  if (annotations !== undefined) {
    if (
      !isObject(annotations) ||
      !Object.values(annotations).every((v) => typeof v === "string")
    ) invalid(`${where}.annotations is not an object of strings`);
    referrer.annotations = { ...annotations as Record<string, string> };
  }
  return referrer;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
