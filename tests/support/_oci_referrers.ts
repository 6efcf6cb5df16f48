/**
 * The referrers API of the in-memory OCI test server (distribution spec 1.1):
 * `GET /v2/<name>/referrers/<digest>[?artifactType=...]`.
 *
 * @module
 */

import { isDigest } from "../../lib/types/digest.ts";
import { apiResponse, errorResponse, unsupported } from "./_oci_protocol.ts";
import type { OciStore, StoredManifest } from "./_oci_store.ts";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** A descriptor in a referrers answer. */
export interface ReferrerEntry {
  mediaType: string;
  digest: string;
  size: number;
  /** The manifest's `artifactType`, else its config's media type. */
  artifactType?: string;
  /** The manifest's annotations, when it has any. */
  annotations?: Record<string, string>;
}

/**
 * The referrers of `subject` in repository `name`: every stored manifest whose
 * `subject.digest` is `subject`, in storage order, as descriptors.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { referrersOf } from "./_oci_referrers.ts";
 * import { OciStore } from "./_oci_store.ts";
 * const store = new OciStore();
 * const subject = `sha256:${"a".repeat(64)}`;
 * const body = new TextEncoder().encode(JSON.stringify({ artifactType: "x/y", subject: { digest: subject } }));
 * const digest = await store.putManifest("a", "t", body, "application/vnd.oci.image.manifest.v1+json");
 * assert.deepEqual(referrersOf(store, "a", subject).map((e) => e.digest), [digest]);
 * ```
 */
export function referrersOf(
  store: OciStore,
  name: string,
  subject: string,
): ReferrerEntry[] {
  const found: ReferrerEntry[] = [];
  const repo = store.repository(name);
  for (const [digest, stored] of repo?.manifests ?? []) {
    const json = parse(stored);
    if (json?.subject?.digest !== subject) continue;
    const entry: ReferrerEntry = {
      mediaType: stored.mediaType,
      digest,
      size: stored.body.length,
    };
    const artifactType = typeof json.artifactType === "string"
      ? json.artifactType
      : json.config?.mediaType;
    if (typeof artifactType === "string") entry.artifactType = artifactType;
    if (typeof json.annotations === "object" && json.annotations !== null) {
      entry.annotations = json.annotations;
    }
    found.push(entry);
  }
  return found;
}

/**
 * Answers `GET /v2/<name>/referrers/<digest>`: an OCI index of the referrers
 * (empty when there are none), filtered by `?artifactType=` with the
 * `OCI-Filters-Applied: artifactType` header.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { handleReferrers } from "./_oci_referrers.ts";
 * import { OciStore } from "./_oci_store.ts";
 * const url = new URL(`http://r/v2/a/referrers/sha256:${"a".repeat(64)}`);
 * const res = handleReferrers(new OciStore(), new Request(url), "a", `sha256:${"a".repeat(64)}`);
 * assert.deepEqual((await res.json()).manifests, []);
 * ```
 */
export function handleReferrers(
  store: OciStore,
  request: Request,
  name: string,
  subject: string,
): Response {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return unsupported(request.method);
  }
  if (!isDigest(subject)) {
    return errorResponse(400, "DIGEST_INVALID", "invalid digest", subject);
  }
  let manifests = referrersOf(store, name, subject);
  const headers: Record<string, string> = { "Content-Type": OCI_INDEX };
  const wanted = new URL(request.url).searchParams.getAll("artifactType");
  if (wanted.length > 0) {
    manifests = manifests.filter((m) => wanted.includes(m.artifactType ?? ""));
    headers["OCI-Filters-Applied"] = "artifactType";
  }
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests,
  });
  return apiResponse(200, request.method === "HEAD" ? null : body, headers);
}

// deno-lint-ignore no-explicit-any
function parse(stored: StoredManifest): any {
  try {
    return JSON.parse(new TextDecoder().decode(stored.body));
  } catch {
    return undefined;
  }
}
