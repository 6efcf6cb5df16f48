/**
 * Reading manifest and blob answers: digests checked, sizes capped, HTML pages
 * refused. Private helper of client.ts.
 *
 * @module
 */
import { isDigest, sha256Digest, verifyDigest } from "../types/digest.ts";
import { errorFromResponse, redactUrl, RegistryError } from "../errors.ts";
import { MAX_MANIFEST_BYTES } from "../types/manifest.ts";
import { BodyTooLargeError, readCapped } from "../transport/http_body.ts";

/** A manifest's digest, as resolved by {@linkcode resolveManifest}. */
export interface ResolvedManifest {
  /** Digest of the manifest. */
  digest: string;
  /** Media type (Content-Type without parameters); may be `""` after a HEAD. */
  mediaType: string;
  /** Size in bytes, when known. */
  size?: number;
  /** The body, when it had to be read to learn the digest. */
  body?: Uint8Array;
}

/** A manifest that was read and verified. */
export interface FetchedManifest {
  /** Digest of the body. */
  digest: string;
  /** Media type (Content-Type without parameters). */
  mediaType: string;
  /** The manifest bytes. */
  body: Uint8Array;
}

/**
 * Reads the answer to a manifest HEAD: the announced digest, or undefined when
 * a GET is needed (405/501, no valid `Docker-Content-Digest`, an HTML page).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readHeadAnswer } from "./_manifest_reads.ts";
 * const answer = await readHeadAnswer(new Response(null, { status: 405 }), "https://r.io/v2/a/manifests/1", "1");
 * assert(answer === undefined);
 * ```
 */
export async function readHeadAnswer(
  response: Response,
  url: string,
  reference: string,
): Promise<ResolvedManifest | undefined> {
  await response.body?.cancel();
  if (response.status === 405 || response.status === 501) return undefined;
  if (!response.ok) throw errorFromResponse("HEAD", url, response.status);
  const mediaType = mediaTypeOf(response);
  const announced = response.headers.get("docker-content-digest")?.trim() ?? "";
  if (mediaType === "text/html" || !isDigest(announced)) return undefined;
  if (isDigest(reference) && announced !== reference) {
    throw new RegistryError(
      "digest-mismatch",
      `HEAD "${
        redactUrl(url)
      }": registry announced digest "${announced}" for "${reference}"`,
      { status: response.status, method: "HEAD", url },
    );
  }
  const size = Number(response.headers.get("content-length") ?? NaN);
  const resolved: ResolvedManifest = { digest: announced, mediaType };
  if (Number.isSafeInteger(size) && size >= 0) resolved.size = size;
  return resolved;
}

/**
 * Reads a manifest GET answer (at most 4 MiB) and checks its digest against the
 * reference (when a digest) and the announced `Docker-Content-Digest`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readManifestAnswer } from "./_manifest_reads.ts";
 * const read = await readManifestAnswer(new Response("{}"), "https://r.io/v2/a/manifests/1", "1");
 * assert(read.body.length === 2);
 * ```
 */
export async function readManifestAnswer(
  response: Response,
  url: string,
  reference: string,
): Promise<FetchedManifest> {
  const where = { status: response.status, method: "GET", url };
  const mediaType = mediaTypeOf(response);
  if (mediaType === "text/html") {
    await response.body?.cancel();
    const error = new RegistryError(
      "invalid-manifest",
      `GET "${redactUrl(url)}": registry answered with an HTML page`,
      where,
    );
    htmlAnswers.add(error);
    throw error;
  }
  const body = await readCapped(response, MAX_MANIFEST_BYTES).catch((error) => {
    throw tooLarge(error, url, "manifest", MAX_MANIFEST_BYTES);
  });
  const computed = await sha256Digest(body);
  const announced = response.headers.get("docker-content-digest")?.trim() ?? "";
  const expected = [
    isDigest(reference) ? reference : "",
    isDigest(announced) ? announced : "",
  ];
  for (const digest of expected) {
    if (digest && !(await verifyDigest(body, digest))) {
      const how = digest === reference
        ? "requested"
        : "announced by the registry";
      throw new RegistryError(
        "digest-mismatch",
        `GET "${
          redactUrl(url)
        }": manifest digest is "${computed}", not "${digest}" as ${how}`,
        where,
      );
    }
  }
  return {
    digest: isDigest(reference) ? reference : computed,
    mediaType,
    body,
  };
}

const htmlAnswers = new WeakSet<RegistryError>();

/**
 * Whether `error` is the one {@linkcode readManifestAnswer} throws for an HTML
 * page (which may mean the server is no registry at all).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isHtmlAnswer, readManifestAnswer } from "./_manifest_reads.ts";
 * const page = new Response("<html></html>", { headers: { "content-type": "text/html" } });
 * const error = await readManifestAnswer(page, "https://r.io/v2/a/manifests/1", "1").catch((e) => e);
 * assert(isHtmlAnswer(error));
 * ```
 */
export function isHtmlAnswer(error: unknown): boolean {
  return error instanceof RegistryError && htmlAnswers.has(error);
}

/**
 * Reads a blob answer, capped at `maxBytes`, and verifies its digest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBlobAnswer } from "./_manifest_reads.ts";
 * const empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
 * assert((await readBlobAnswer(new Response(""), "https://r.io/b", empty, 10)).length === 0);
 * ```
 */
export async function readBlobAnswer(
  response: Response,
  url: string,
  digest: string,
  maxBytes: number,
): Promise<Uint8Array> {
  const body = await readCapped(response, maxBytes).catch((error) => {
    throw tooLarge(error, url, "blob", maxBytes);
  });
  if (!(await verifyDigest(body, digest))) {
    throw new RegistryError(
      "digest-mismatch",
      `GET "${redactUrl(url)}": blob digest is "${await sha256Digest(
        body,
      )}", not "${digest}"`,
      { status: response.status, method: "GET", url },
    );
  }
  return body;
}

/**
 * The media type of a response, parameters stripped, lowercased.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { mediaTypeOf } from "./_manifest_reads.ts";
 * const response = new Response("", { headers: { "content-type": "Text/HTML; charset=utf-8" } });
 * assert(mediaTypeOf(response) === "text/html");
 * ```
 */
export function mediaTypeOf(response: Response): string {
  return (response.headers.get("content-type") ?? "").split(";")[0]!.trim()
    .toLowerCase();
}

/**
 * Turns a {@linkcode BodyTooLargeError} into an "invalid-manifest" RegistryError.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tooLarge } from "./_manifest_reads.ts";
 * import { BodyTooLargeError } from "../transport/http_body.ts";
 * const error = tooLarge(new BodyTooLargeError(4), "https://r.io/x", "blob", 4) as Error;
 * assert(error.message === 'GET "https://r.io/x": blob is larger than 4 bytes');
 * ```
 */
export function tooLarge(
  error: unknown,
  url: string,
  what: string,
  limit: number,
): unknown {
  if (!(error instanceof BodyTooLargeError)) return error;
  return new RegistryError(
    "invalid-manifest",
    `GET "${redactUrl(url)}": ${what} is larger than ${limit} bytes`,
    {
      method: "GET",
      url,
    },
  );
}
