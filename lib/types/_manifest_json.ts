/**
 * Private helpers of manifest.ts: JSON decoding and descriptor validation.
 *
 * @module
 */

import { isDigest } from "./digest.ts";
import type { Descriptor } from "./descriptor.ts";
import type { Platform } from "./platform.ts";

/** A JSON object. */
export type Json = Record<string, unknown>;

/** Tells whether `value` is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Throws `SyntaxError("Cannot parse <what>: <detail>")`. */
export function fail(what: string, detail: string): never {
  throw new SyntaxError(`Cannot parse ${what}: ${detail}`);
}

/** Decodes strict UTF-8 JSON; `what` names the document in errors. */
export function decodeJson(body: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    fail(what, "body is not valid UTF-8");
  }
  if (/^\s*</.test(text)) fail(what, "body is HTML or XML, not JSON");
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(what, (error as Error).message);
  }
}

/** Reads a platform object; `undefined` when it is missing or malformed. */
export function readPlatform(value: unknown): Platform | undefined {
  if (!isObject(value)) return undefined;
  const { architecture, os, variant } = value;
  if (typeof architecture !== "string" || architecture === "") return undefined;
  if (typeof os !== "string" || os === "") return undefined;
  const platform: Platform = { architecture, os };
  if (typeof variant === "string" && variant !== "") platform.variant = variant;
  const version = value["os.version"];
  if (typeof version === "string" && version !== "") {
    platform["os.version"] = version;
  }
  const features = value["os.features"];
  if (
    Array.isArray(features) && features.length > 0 &&
    features.every((f) => typeof f === "string" && f !== "")
  ) {
    platform["os.features"] = features;
  }
  return platform;
}

/**
 * Validates a descriptor: digest in the distribution grammar, size a
 * non-negative integer. Index entries (`withPlatform`) always get a `platform`
 * key, `undefined` when the entry has no usable platform.
 */
export function readDescriptor(
  value: unknown,
  where: string,
  withPlatform: boolean,
): Descriptor {
  if (!isObject(value)) fail("manifest", `${where} is not an object`);
  const { mediaType = "", digest, size, annotations } = value;
  if (typeof mediaType !== "string") {
    fail("manifest", `${where}.mediaType is not a string`);
  }
  if (typeof digest !== "string" || !isDigest(digest)) {
    fail(
      "manifest",
      `${where}.digest ${JSON.stringify(digest)} is not a valid digest`,
    );
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    fail("manifest", `${where}.size is not a non-negative integer`);
  }
  const descriptor: Descriptor = { mediaType, digest, size };
  if (withPlatform) descriptor.platform = readPlatform(value.platform);
  if (
    isObject(annotations) &&
    Object.values(annotations).every((v) => typeof v === "string")
  ) {
    descriptor.annotations = annotations as Record<string, string>;
  }
  const { urls, artifactType } = value;
  if (
    Array.isArray(urls) && urls.length > 0 &&
    urls.every((u) => typeof u === "string")
  ) descriptor.urls = urls;
  if (typeof artifactType === "string") descriptor.artifactType = artifactType;
  return descriptor;
}
