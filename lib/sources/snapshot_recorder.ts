/**
 * Records what a source registry answers, as a snapshot: a wrapper around
 * the source's {@linkcode ManifestSource} that keeps every answer the verdict
 * rules read (digests, manifest and config bodies) and the answers that are
 * facts about the content (a manifest that does not exist, an invalid or
 * tampered one). Failures of the moment (network, auth, timeouts) are not
 * recorded: the line fails now and is not in the snapshot.
 *
 * @module
 */

import { type FailureKind, RegistryError } from "../errors.ts";
import { isDigest } from "../types/digest.ts";
import type { ManifestSource } from "../verdict/source.ts";
import {
  answerKey,
  type Snapshot,
  SNAPSHOT_KIND,
  SNAPSHOT_SCHEMA_VERSION,
  type SnapshotAnswer,
  type SnapshotBody,
  storedBody,
} from "./snapshot_format.ts";

/** Failures that say something about the source's content, kept in a snapshot. */
const RECORDED_KINDS: readonly FailureKind[] = [
  "missing",
  "invalid-manifest",
  "digest-mismatch",
];

const ARTIFACT_TAG = /^sha(256|512)-[a-f0-9]+(\.(sig|att|sbom))?$/;

/** Options of {@linkcode SnapshotRecorder}. */
export interface SnapshotRecorderOptions {
  /** The platforms the snapshot is taken for. */
  selection: { architectures: readonly string[]; oses: readonly string[] };
  /** The tool and version, e.g. `hangar 0.1.0`. */
  createdBy: string;
  /**
   * What the snapshot is taken with beyond the verdict rules.
   *
   * @default {{ deep: false, referrers: false }}
   */
  checks?: { deep: boolean; referrers: boolean };
  /** Wall clock. @default {() => new Date()} */
  now?: () => Date;
}

/**
 * Keeps a source's answers while the verdict rules read it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SnapshotRecorder } from "./snapshot_recorder.ts";
 * const body = new TextEncoder().encode("{}");
 * const digest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
 * const recorder = new SnapshotRecorder({
 *   selection: { architectures: ["amd64"], oses: ["linux"] },
 *   createdBy: "test",
 * });
 * const client = recorder.wrap("r.io", {
 *   resolveManifest: () => Promise.resolve({ digest, mediaType: "m" }),
 *   getManifest: () => Promise.resolve({ digest, mediaType: "m", body }),
 *   getBlob: () => Promise.resolve(body),
 * });
 * await client.resolveManifest("a/b", "1");
 * await client.getManifest("a/b", digest);
 * const snapshot = recorder.snapshot();
 * assert.deepEqual(snapshot.images, { "r.io/a/b:1": digest });
 * assert.deepEqual(snapshot.bodies[digest], { mediaType: "m", text: "{}" });
 * ```
 */
export class SnapshotRecorder {
  #options: SnapshotRecorderOptions;
  #answers = new Map<string, SnapshotAnswer>();
  #bodies = new Map<string, SnapshotBody>();

  /** Makes an empty recorder. */
  constructor(options: SnapshotRecorderOptions) {
    this.#options = options;
  }

  /** The source `client` of `registry`, recording what it answers. */
  wrap(registry: string, client: ManifestSource): ManifestSource {
    const keep = <T>(key: string, work: Promise<T>, onValue: (v: T) => void) =>
      work.then((value) => {
        onValue(value);
        return value;
      }, (error: unknown) => {
        if (
          error instanceof RegistryError && RECORDED_KINDS.includes(error.kind)
        ) {
          this.#answers.set(key, {
            error: { kind: error.kind, message: error.message },
          });
        }
        throw error;
      });
    return {
      resolveManifest: (repository, reference, signal) => {
        const key = answerKey("resolve", registry, repository, reference);
        return keep(
          key,
          client.resolveManifest(repository, reference, signal),
          (head) => {
            this.#answers.set(key, {
              digest: head.digest,
              mediaType: head.mediaType,
            });
            if (head.body) {
              this.#keepBody(head.digest, head.body, head.mediaType);
            }
          },
        );
      },
      getManifest: (repository, reference, signal) => {
        const key = answerKey("manifest", registry, repository, reference);
        return keep(
          key,
          client.getManifest(repository, reference, signal),
          (fetched) => {
            this.#answers.set(key, {
              digest: fetched.digest,
              mediaType: fetched.mediaType,
            });
            this.#keepBody(fetched.digest, fetched.body, fetched.mediaType);
          },
        );
      },
      ...(client.listReferrers
        ? {
          listReferrers: (
            repository: string,
            digest: string,
            signal?: AbortSignal,
          ) => {
            const key = answerKey("referrers", registry, repository, digest);
            return keep(
              key,
              client.listReferrers!(repository, digest, signal),
              (found) => {
                this.#answers.set(key, {
                  referrers: {
                    via: found.via,
                    descriptors: found.descriptors.map((d) => ({
                      mediaType: d.mediaType,
                      digest: d.digest,
                      size: d.size,
                      ...(d.artifactType
                        ? { artifactType: d.artifactType }
                        : {}),
                      ...(d.annotations ? { annotations: d.annotations } : {}),
                    })),
                  },
                });
              },
            );
          },
        }
        : {}),
      ...(client.listTags
        ? {
          listTags: (repository: string, signal?: AbortSignal) => {
            const key = answerKey("tags", registry, repository, "-");
            return keep(
              key,
              client.listTags!(repository, signal),
              (tags) => this.#answers.set(key, { tags }),
            );
          },
        }
        : {}),
      ...(client.prefetch
        ? { prefetch: (repository: string) => client.prefetch!(repository) }
        : {}),
      getBlob: (repository, digest, options) => {
        const key = answerKey("blob", registry, repository, digest);
        return keep(
          key,
          client.getBlob(repository, digest, options),
          (body) => {
            this.#answers.set(key, { digest });
            this.#keepBody(digest, body);
          },
        );
      },
    };
  }

  /** The snapshot of everything recorded so far, keys sorted. */
  snapshot(): Snapshot {
    const { selection, createdBy, now = () => new Date() } = this.#options;
    const images: Record<string, string> = {};
    const answers: Record<string, SnapshotAnswer> = {};
    for (const key of [...this.#answers.keys()].sort()) {
      const answer = this.#answers.get(key)!;
      answers[key] = answer;
      const [request, name, reference] = key.split(" ") as [
        string,
        string,
        string,
      ];
      // Artifact tags (cosign's and the referrers tag schema) are answers,
      // not images of the list.
      if (request !== "resolve" || ARTIFACT_TAG.test(reference)) continue;
      const ref = name + (isDigest(reference) ? "@" : ":") + reference;
      if ("digest" in answer) images[ref] = answer.digest;
      else if ("error" in answer) images[ref] = `error: ${answer.error.kind}`;
    }
    const bodies: Record<string, SnapshotBody> = {};
    for (const digest of [...this.#bodies.keys()].sort()) {
      bodies[digest] = this.#bodies.get(digest)!;
    }
    return {
      kind: SNAPSHOT_KIND,
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      createdAt: now().toISOString(),
      createdBy,
      selection: {
        architectures: [...selection.architectures],
        oses: [...selection.oses],
      },
      checks: this.#options.checks ?? { deep: false, referrers: false },
      images,
      answers,
      bodies,
    };
  }

  #keepBody(digest: string, bytes: Uint8Array, mediaType?: string) {
    const known = this.#bodies.get(digest);
    if (known !== undefined && (known.mediaType || !mediaType)) return;
    this.#bodies.set(digest, storedBody(bytes, mediaType));
  }
}
