/**
 * Manifest bodies (Docker list and v2, OCI index and manifest, Docker schema1)
 * and image configs, parsed into typed values without any I/O.
 *
 * @module
 */

import {
  decodeJson,
  fail,
  isObject,
  type Json,
  readDescriptor,
  readPlatform,
} from "./_manifest_json.ts";
import type { Descriptor } from "./descriptor.ts";
import type { Platform } from "./platform.ts";

export type { Descriptor };

/** Manifest media types this tool knows. */
export const MEDIA_TYPES = {
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerSchema1: "application/vnd.docker.distribution.manifest.v1+json",
  dockerSchema1Signed:
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
} as const;

/** The `Accept` header value for manifest requests: lists, images, both kinds. */
export const MANIFEST_ACCEPT: string = [
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
].join(", ");

/** The largest manifest body accepted, in bytes (4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** A parsed manifest. */
export type Manifest =
  | { kind: "index"; mediaType: string; manifests: Descriptor[] }
  | {
    kind: "image";
    mediaType: string;
    config: Descriptor;
    layers: Descriptor[];
  }
  | { kind: "schema1"; mediaType: string; platform: Platform };

const INDEX_TYPES: readonly string[] = [
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociIndex,
];
const IMAGE_TYPES: readonly string[] = [
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.ociManifest,
];
const SCHEMA1_TYPES: readonly string[] = [
  MEDIA_TYPES.dockerSchema1,
  MEDIA_TYPES.dockerSchema1Signed,
];
const GENERIC_TYPES = new Set([
  "",
  "application/json",
  "text/plain",
  "application/octet-stream",
  "binary/octet-stream",
]);

function _mediaType(json: Json, contentType: string): string {
  if (json.mediaType !== undefined) {
    if (typeof json.mediaType !== "string") {
      fail("manifest", "mediaType is not a string");
    }
    if (json.mediaType !== "") return json.mediaType;
  }
  if (json.schemaVersion === 1) {
    return SCHEMA1_TYPES.includes(contentType)
      ? contentType
      : MEDIA_TYPES.dockerSchema1;
  }
  if (!GENERIC_TYPES.has(contentType)) return contentType;
  if (Array.isArray(json.manifests)) return MEDIA_TYPES.ociIndex;
  if (json.config !== undefined) return MEDIA_TYPES.ociManifest;
  if (contentType === "") {
    fail("manifest", "no media type and no manifests or config");
  }
  return contentType;
}

function _schema1Platform(json: Json): Platform {
  const { architecture, history } = json;
  if (typeof architecture !== "string" || architecture === "") {
    fail("manifest", "schema1 architecture is missing");
  }
  let os = "linux";
  const first: unknown = Array.isArray(history) ? history[0] : undefined;
  if (isObject(first) && typeof first.v1Compatibility === "string") {
    try {
      const compat: unknown = JSON.parse(first.v1Compatibility);
      if (isObject(compat) && typeof compat.os === "string" && compat.os) {
        os = compat.os;
      }
    } catch {
      fail("manifest", "history[0].v1Compatibility is not valid JSON");
    }
  }
  return { architecture, os };
}

/**
 * Parses a manifest body. The media type comes from the body's `mediaType`,
 * else from `contentType`, else from the body's shape. Index entries without a
 * usable platform get `platform: undefined`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifest } from "./manifest.ts";
 * const body = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.index.v1+json",
 *   manifests: [{
 *     mediaType: "application/vnd.oci.image.manifest.v1+json",
 *     digest: `sha256:${"a".repeat(64)}`,
 *     size: 500,
 *     platform: { architecture: "amd64", os: "linux" },
 *   }],
 * }));
 * const manifest = parseManifest(body);
 * assert(manifest.kind === "index");
 * ```
 *
 * @param body The manifest bytes.
 * @param contentType The `Content-Type` the registry sent.
 * @returns The parsed manifest.
 * @throws {RangeError} When the body is larger than {@linkcode MAX_MANIFEST_BYTES}.
 * @throws {SyntaxError} When the body is not UTF-8 JSON of a manifest's shape.
 * @throws {TypeError} When the media type is not a manifest type this tool knows.
 */
export function parseManifest(
  body: Uint8Array,
  contentType?: string,
): Manifest {
  if (body.byteLength > MAX_MANIFEST_BYTES) {
    throw new RangeError(
      `Cannot parse manifest: body is larger than ${MAX_MANIFEST_BYTES} bytes`,
    );
  }
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  let json: unknown;
  try {
    json = decodeJson(body, "manifest");
  } catch (error) {
    if (GENERIC_TYPES.has(type) || _known(type)) throw error;
    throw new TypeError(`Unsupported manifest media type "${type}"`);
  }
  if (!isObject(json)) fail("manifest", "body is not a JSON object");
  const mediaType = _mediaType(json, type);
  if (INDEX_TYPES.includes(mediaType)) {
    if (!Array.isArray(json.manifests)) {
      fail("manifest", "manifests is not an array");
    }
    const manifests = json.manifests.map((entry, i) =>
      readDescriptor(entry, `manifests[${i}]`, true)
    );
    return { kind: "index", mediaType, manifests };
  }
  if (IMAGE_TYPES.includes(mediaType)) {
    if (json.config === undefined) fail("manifest", "config is missing");
    const config = readDescriptor(json.config, "config", false);
    const rawLayers = json.layers ?? [];
    if (!Array.isArray(rawLayers)) fail("manifest", "layers is not an array");
    const layers = rawLayers.map((layer, i) =>
      readDescriptor(layer, `layers[${i}]`, false)
    );
    return { kind: "image", mediaType, config, layers };
  }
  if (SCHEMA1_TYPES.includes(mediaType)) {
    return { kind: "schema1", mediaType, platform: _schema1Platform(json) };
  }
  throw new TypeError(`Unsupported manifest media type "${mediaType}"`);
}

function _known(type: string): boolean {
  return INDEX_TYPES.includes(type) || IMAGE_TYPES.includes(type) ||
    SCHEMA1_TYPES.includes(type);
}

/**
 * Reads the platform of an image from its config blob.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseImageConfig } from "./manifest.ts";
 * const body = new TextEncoder().encode(
 *   '{"architecture":"arm","os":"linux","variant":"v7","rootfs":{}}',
 * );
 * const platform = parseImageConfig(body);
 * assert(platform.variant === "v7");
 * ```
 *
 * @param body The config bytes.
 * @returns The image's platform.
 * @throws {SyntaxError} When the body is not JSON or lacks `architecture`/`os`.
 */
export function parseImageConfig(body: Uint8Array): Platform {
  const json = decodeJson(body, "image config");
  if (!isObject(json)) fail("image config", "body is not a JSON object");
  const platform = readPlatform(json);
  if (platform === undefined) {
    fail("image config", "architecture or os is missing");
  }
  return platform;
}
