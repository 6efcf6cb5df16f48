/**
 * Reads a blob of an OCI image layout, `blobs/<alg>/<hex>`, capped and
 * verified against its digest; every failure is a RegistryError, so the
 * engine reports it as it would a registry's.
 *
 * @module
 */

import { fileErrorReason, isNotFound, RegistryError } from "../errors.ts";
import { computeDigest, type DigestAlgorithm } from "../types/digest.ts";

const LAYOUT_DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** Options of {@linkcode readLayoutBlob}. */
export interface LayoutBlobOptions {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** What the blob is, for messages: `manifest` or `blob`. */
  what: string;
  /** Aborts the read. */
  signal?: AbortSignal;
}

/**
 * Whether `digest` is a sha256 or sha512 digest, the only ones a layout
 * blob is read by (so a path never leaves `blobs/`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLayoutDigest } from "./_layout_blobs.ts";
 * assert(isLayoutDigest(`sha256:${"a".repeat(64)}`));
 * assert(!isLayoutDigest("sha256:../../etc/passwd"));
 * ```
 */
export function isLayoutDigest(digest: string): boolean {
  return LAYOUT_DIGEST.test(digest);
}

/**
 * The path of a blob inside the layout `dir`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { layoutBlobPath } from "./_layout_blobs.ts";
 * const digest = `sha256:${"a".repeat(64)}`;
 * assert.equal(layoutBlobPath("/l/", digest), `/l/blobs/sha256/${"a".repeat(64)}`);
 * assert.throws(() => layoutBlobPath("/l", "md5:x"), { kind: "invalid-manifest" });
 * ```
 *
 * @throws {RegistryError} "invalid-manifest" when `digest` is not `alg:hex`.
 */
export function layoutBlobPath(dir: string, digest: string): string {
  if (!isLayoutDigest(digest)) {
    throw new RegistryError(
      "invalid-manifest",
      `digest "${digest}" cannot be read from the OCI layout "${dir}": only sha256 and sha512 digests are supported`,
    );
  }
  const [algorithm, hex] = digest.split(":");
  return `${dir.replace(/\/+$/, "")}/blobs/${algorithm}/${hex}`;
}

/**
 * Whether the layout holds a regular file for `digest`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasLayoutBlob } from "./_layout_blobs.ts";
 * assert.equal(await hasLayoutBlob("/nonexistent", `sha256:${"a".repeat(64)}`), false);
 * ```
 */
export async function hasLayoutBlob(
  dir: string,
  digest: string,
): Promise<boolean> {
  if (!isLayoutDigest(digest)) return false;
  const info = await Deno.stat(layoutBlobPath(dir, digest)).catch(() => null);
  return info?.isFile === true;
}

/**
 * Reads the blob `digest` of the layout `dir`, at most `maxBytes`, and checks
 * that it hashes to `digest`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLayoutBlob } from "./_layout_blobs.ts";
 * import { sha256Digest } from "../types/digest.ts";
 * const dir = await Deno.makeTempDir();
 * const body = new TextEncoder().encode("{}");
 * const digest = await sha256Digest(body);
 * await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
 * await Deno.writeFile(`${dir}/blobs/sha256/${digest.slice(7)}`, body);
 * const read = await readLayoutBlob(dir, digest, { maxBytes: 10, what: "blob" });
 * assert.deepEqual(read, body);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @throws {RegistryError} "missing" (no file), "invalid-manifest" (too large
 * or a bad digest), "digest-mismatch" (changed content), "server" (the file
 * cannot be read).
 */
export async function readLayoutBlob(
  dir: string,
  digest: string,
  options: LayoutBlobOptions,
): Promise<Uint8Array> {
  const path = layoutBlobPath(dir, digest);
  options.signal?.throwIfAborted();
  let bytes: Uint8Array;
  try {
    bytes = await readCapped(path, options.maxBytes);
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    if (isNotFound(error)) {
      throw new RegistryError(
        "missing",
        `${options.what} "${digest}" is not in the OCI layout "${dir}": no file "${path}"`,
        { cause: error },
      );
    }
    throw new RegistryError(
      "server",
      `cannot read "${path}" of the OCI layout: ${fileErrorReason(error)}`,
      { cause: error },
    );
  }
  const algorithm = digest.slice(0, digest.indexOf(":")) as DigestAlgorithm;
  const computed = await computeDigest(bytes, algorithm);
  if (computed !== digest) {
    throw new RegistryError(
      "digest-mismatch",
      `file "${path}" of the OCI layout does not match its digest: content hashes to "${computed}"`,
    );
  }
  return bytes;
}

/** Reads a regular file, refusing one longer than `maxBytes`. */
async function readCapped(path: string, maxBytes: number): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const info = await file.stat();
  if (!info.isFile) throw new Deno.errors.IsADirectory(path);
  const tooLarge = () =>
    new RegistryError(
      "invalid-manifest",
      `file "${path}" of the OCI layout is larger than ${maxBytes} bytes`,
    );
  if (info.size > maxBytes) throw tooLarge();
  // One byte more than allowed tells a file that grew since the stat.
  const buffer = new Uint8Array(Math.min(info.size, maxBytes) + 1);
  let length = 0;
  while (length < buffer.length) {
    const read = await file.read(buffer.subarray(length));
    if (read === null) break;
    length += read;
  }
  if (length > maxBytes) throw tooLarge();
  return buffer.slice(0, length);
}
