/**
 * The snapshot file of `hangar mirror snapshot`: what a source registry
 * answered, so that a mirror can be validated where the source cannot be
 * reached. JSON with a kind and a schema version; every body is stored with
 * the digest it is known by and verified when the file is read.
 *
 * ```json
 * {
 *   "kind": "hangar.mirror-snapshot",
 *   "schemaVersion": 1,
 *   "createdAt": "2026-11-30T11:00:00.000Z",
 *   "createdBy": "hangar 0.1.0",
 *   "selection": { "architectures": ["amd64"], "oses": ["linux"] },
 *   "images": { "docker.io/library/nginx:1.25": "sha256:..." },
 *   "answers": {
 *     "resolve docker.io/library/nginx 1.25": { "digest": "sha256:...", "mediaType": "..." },
 *     "resolve docker.io/library/gone latest": { "error": { "kind": "missing", "message": "..." } }
 *   },
 *   "bodies": { "sha256:...": { "mediaType": "...", "text": "{...}" } }
 * }
 * ```
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { FAILURE_KINDS, type FailureKind } from "../errors.ts";
import { isDigest, verifyDigest } from "../types/digest.ts";

/** The `kind` of a snapshot file. */
export const SNAPSHOT_KIND = "hangar.mirror-snapshot";
/** The schema version this code writes and the newest it reads. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** What the source answered to one request. */
export type SnapshotAnswer =
  | { digest: string; mediaType?: string }
  | { referrers: SnapshotReferrers }
  | { tags: string[] }
  | { error: { kind: FailureKind; message: string } };

/** The artifacts that refer to a digest, as the source listed them. */
export interface SnapshotReferrers {
  /** How they were found: the referrers API or the referrers tag schema. */
  via: "api" | "tag-schema";
  /** Their descriptors. */
  descriptors: {
    mediaType: string;
    digest: string;
    size: number;
    artifactType?: string;
    annotations?: Record<string, string>;
  }[];
}

/** A body the source served, by the digest it is known by. */
export interface SnapshotBody {
  /** Media type the registry served it with, for manifests. */
  mediaType?: string;
  /** The body, when it is UTF-8 text (manifests and configs are). */
  text?: string;
  /** The body in base64, when it is not UTF-8 text. */
  base64?: string;
}

/** A snapshot file's content. */
export interface Snapshot {
  /** Always {@linkcode SNAPSHOT_KIND}. */
  kind: typeof SNAPSHOT_KIND;
  /** Always {@linkcode SNAPSHOT_SCHEMA_VERSION} for files this code writes. */
  schemaVersion: number;
  /** When it was taken (ISO 8601). */
  createdAt: string;
  /** The tool and version that wrote it. */
  createdBy: string;
  /** The platforms it was taken for (`-a`, `--os`). */
  selection: { architectures: string[]; oses: string[] };
  /**
   * What it was taken with beyond the verdict rules: `deep` (every selected
   * platform manifest recorded), `referrers` (the referrers found).
   */
  checks?: { deep: boolean; referrers: boolean };
  /** Each recorded source reference and its digest, or the failure kind. */
  images: Record<string, string>;
  /** Answers by request: `resolve|manifest|blob|referrers|tags REGISTRY/REPOSITORY REFERENCE`. */
  answers: Record<string, SnapshotAnswer>;
  /** Bodies by digest. */
  bodies: Record<string, SnapshotBody>;
}

/**
 * The key of one request in {@linkcode Snapshot.answers}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerKey } from "./snapshot_format.ts";
 * assert.equal(answerKey("resolve", "r.io", "a/b", "1"), "resolve r.io/a/b 1");
 * ```
 */
export function answerKey(
  request: "resolve" | "manifest" | "blob" | "referrers" | "tags",
  registry: string,
  repository: string,
  reference: string,
): string {
  return `${request} ${registry}/${repository} ${reference}`;
}

/**
 * Stores bytes as a body: text when they are UTF-8, else base64.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bodyBytes, storedBody } from "./snapshot_format.ts";
 * assert.deepEqual(storedBody(new TextEncoder().encode("{}")), { text: "{}" });
 * assert.deepEqual(storedBody(new Uint8Array([0xff])), { base64: "/w==" });
 * assert.deepEqual(bodyBytes({ base64: "/w==" }), new Uint8Array([0xff]));
 * ```
 */
export function storedBody(
  bytes: Uint8Array,
  mediaType?: string,
): SnapshotBody {
  const body: SnapshotBody = mediaType !== undefined ? { mediaType } : {};
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
      .decode(bytes);
    body.text = text;
  } catch {
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    body.base64 = btoa(binary);
  }
  return body;
}

/** The bytes of a stored body. */
export function bodyBytes(body: SnapshotBody): Uint8Array {
  if (body.text !== undefined) return new TextEncoder().encode(body.text);
  const binary = atob(body.base64 ?? "");
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * Checks a parsed snapshot file: kind, schema version, shapes, and every
 * body against its digest. The first problem is a {@linkcode UsageError}
 * naming the file and the entry.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSnapshot } from "./snapshot_format.ts";
 * await assert.rejects(
 *   checkSnapshot({ kind: "other" }, "s.json"),
 *   { message: 'Cannot use snapshot "s.json": kind is "other", not "hangar.mirror-snapshot"' },
 * );
 * ```
 */
export async function checkSnapshot(
  value: unknown,
  name: string,
): Promise<Snapshot> {
  const fail = (problem: string) =>
    new UsageError(`Cannot use snapshot "${name}": ${problem}`);
  if (!isObject(value)) throw fail("not a JSON object");
  if (value.kind !== SNAPSHOT_KIND) {
    throw fail(
      `kind is ${JSON.stringify(value.kind ?? null)}, not "${SNAPSHOT_KIND}"`,
    );
  }
  const version = value.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version)) {
    throw fail("schemaVersion is missing");
  }
  if (version > SNAPSHOT_SCHEMA_VERSION) {
    throw fail(
      `schema version ${version} is newer than ${SNAPSHOT_SCHEMA_VERSION}: update hangar`,
    );
  }
  const selection = value.selection;
  if (
    !isObject(selection) || !isStrings(selection.architectures) ||
    !isStrings(selection.oses)
  ) throw fail("selection is missing");
  for (const field of ["images", "answers", "bodies"] as const) {
    if (!isObject(value[field])) throw fail(`${field} is missing`);
  }
  for (const [key, answer] of Object.entries(value.answers as object)) {
    if (!isAnswer(answer)) throw fail(`answer "${key}" is malformed`);
  }
  for (const [digest, body] of Object.entries(value.bodies as object)) {
    if (!isDigest(digest) || !isBody(body)) {
      throw fail(`body "${digest}" is malformed`);
    }
    if (!(await verifyDigest(bodyBytes(body), digest))) {
      throw fail(`body "${digest}" does not match its digest (changed?)`);
    }
  }
  return value as unknown as Snapshot;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function isAnswer(value: unknown): value is SnapshotAnswer {
  if (!isObject(value)) return false;
  if (isObject(value.error)) {
    return (FAILURE_KINDS as readonly unknown[]).includes(value.error.kind) &&
      typeof value.error.message === "string";
  }
  if (Array.isArray(value.tags)) {
    return value.tags.every((tag) => typeof tag === "string");
  }
  if (isObject(value.referrers)) {
    const { via, descriptors } = value.referrers;
    return (via === "api" || via === "tag-schema") &&
      Array.isArray(descriptors) &&
      descriptors.every((d) =>
        isObject(d) && typeof d.digest === "string" && isDigest(d.digest)
      );
  }
  return typeof value.digest === "string" && isDigest(value.digest) &&
    (value.mediaType === undefined || typeof value.mediaType === "string");
}

function isBody(value: unknown): value is SnapshotBody {
  if (!isObject(value)) return false;
  if (value.mediaType !== undefined && typeof value.mediaType !== "string") {
    return false;
  }
  return typeof value.text === "string" || typeof value.base64 === "string";
}
