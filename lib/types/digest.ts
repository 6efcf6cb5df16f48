/**
 * Content digests as the distribution spec writes them: `algorithm:encoded`.
 *
 * @module
 */

/** Hash algorithms this module can compute. */
export type DigestAlgorithm = "sha256" | "sha512";

const WEB_CRYPTO_NAMES: Record<DigestAlgorithm, string> = {
  sha256: "SHA-256",
  sha512: "SHA-512",
};

const ENCODED_PATTERNS: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

const ALGORITHM = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/;
const ENCODED = /^[a-zA-Z0-9=_-]+$/;

/**
 * Computes the digest of `bytes` with the given algorithm.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeDigest } from "./digest.ts";
 * const digest = await computeDigest(new TextEncoder().encode("abc"), "sha512");
 * assert(digest.startsWith("sha512:ddaf35a193617aba"));
 * ```
 *
 * @param bytes The content to hash.
 * @param algorithm The hash algorithm.
 * @returns The digest, `algorithm:<lowercase hex>`.
 */
export async function computeDigest(
  bytes: Uint8Array,
  algorithm: DigestAlgorithm = "sha256",
): Promise<string> {
  const name = WEB_CRYPTO_NAMES[algorithm];
  if (name === undefined) {
    throw new TypeError(`Unsupported digest algorithm "${algorithm}"`);
  }
  const input = bytes.buffer instanceof ArrayBuffer
    ? bytes as Uint8Array<ArrayBuffer>
    : new Uint8Array(bytes);
  const hash = new Uint8Array(await crypto.subtle.digest(name, input));
  let hex = "";
  for (const byte of hash) hex += byte.toString(16).padStart(2, "0");
  return `${algorithm}:${hex}`;
}

/**
 * Computes the sha256 digest of `bytes`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Digest } from "./digest.ts";
 * assert(
 *   (await sha256Digest(new Uint8Array())) ===
 *     "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
 * );
 * ```
 *
 * @param bytes The content to hash.
 * @returns The digest, `sha256:<64 lowercase hex>`.
 */
export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  return await computeDigest(bytes, "sha256");
}

/**
 * Tells whether `value` is a digest in the distribution grammar. `sha256` and
 * `sha512` digests must carry exactly 64 or 128 lowercase hex digits; other
 * algorithms follow the general OCI grammar.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDigest } from "./digest.ts";
 * assert(isDigest(`sha256:${"a".repeat(64)}`));
 * assert(!isDigest(`sha256:${"A".repeat(64)}`));
 * assert(!isDigest("latest"));
 * ```
 *
 * @param value The string to check.
 * @returns `true` when `value` is a well-formed digest.
 */
export function isDigest(value: string): boolean {
  const colon = value.indexOf(":");
  if (colon < 0) return false;
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  if (!ALGORITHM.test(algorithm) || !ENCODED.test(encoded)) return false;
  const pattern = ENCODED_PATTERNS[algorithm];
  return pattern === undefined || pattern.test(encoded);
}

/**
 * Checks that `bytes` hash to `expected`, using the algorithm named in
 * `expected`. An unknown algorithm or a malformed digest gives `false`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyDigest } from "./digest.ts";
 * const empty =
 *   "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
 * assert(await verifyDigest(new Uint8Array(), empty));
 * assert(!(await verifyDigest(new Uint8Array([1]), empty)));
 * ```
 *
 * @param bytes The content to check.
 * @param expected The digest the content should have.
 * @returns `true` when the content matches.
 */
export async function verifyDigest(
  bytes: Uint8Array,
  expected: string,
): Promise<boolean> {
  if (!isDigest(expected)) return false;
  const algorithm = expected.slice(0, expected.indexOf(":"));
  if (algorithm !== "sha256" && algorithm !== "sha512") return false;
  return (await computeDigest(bytes, algorithm)) === expected;
}
