/**
 * A snapshot as the source side of a validation: answers the verdict rules'
 * reads from the file, with no request to the source registry. What the
 * snapshot does not hold is a failure of kind `not-in-snapshot`.
 *
 * @module
 */

import { RegistryError } from "../errors.ts";
import { isDigest } from "../types/digest.ts";
import { normalizePlatform } from "../types/platform.ts";
import type { ManifestSource } from "../verdict/source.ts";
import {
  answerKey,
  bodyBytes,
  type Snapshot,
  type SnapshotAnswer,
} from "./snapshot_format.ts";

/**
 * Reads a loaded snapshot as a source of manifests.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SnapshotSource } from "./snapshot_source.ts";
 * const source = new SnapshotSource({
 *   kind: "hangar.mirror-snapshot", schemaVersion: 1, createdAt: "", createdBy: "",
 *   selection: { architectures: ["amd64"], oses: ["linux"] },
 *   images: {}, answers: {}, bodies: {},
 * }, "s.json");
 * await assert.rejects(source.client("r.io").resolveManifest("a/b", "1"), {
 *   kind: "not-in-snapshot",
 *   message: '"r.io/a/b:1" is not in the snapshot "s.json"',
 * });
 * assert.equal(
 *   source.coverageProblem({ architectures: ["arm64"], oses: ["linux"] }),
 *   'Snapshot "s.json" was taken for -a amd64 --os linux: it does not cover -a arm64',
 * );
 * ```
 */
export class SnapshotSource {
  #snapshot: Snapshot;
  #name: string;

  /** Reads `snapshot`, named `name` (its path) in messages. */
  constructor(snapshot: Snapshot, name: string) {
    this.#snapshot = snapshot;
    this.#name = name;
  }

  /** How many source references the snapshot holds. */
  get size(): number {
    return Object.keys(this.#snapshot.images).length;
  }

  /**
   * Why the snapshot cannot answer for `selection` (platforms it was not
   * taken for), or undefined when it covers them.
   */
  coverageProblem(
    selection: { architectures: readonly string[]; oses: readonly string[] },
    checks: { referrers?: boolean } = {},
  ): string | undefined {
    if (checks.referrers && !this.#snapshot.checks?.referrers) {
      return `Snapshot "${this.#name}" was taken without --referrers: take it again with --referrers to check referrers from it`;
    }
    const taken = this.#snapshot.selection;
    const arch = (a: string) =>
      normalizePlatform({ architecture: a, os: "" }).architecture;
    const os = (o: string) => o.trim().toLowerCase();
    const archesTaken = new Set(taken.architectures.map(arch));
    const osesTaken = new Set(taken.oses.map(os));
    const arches = selection.architectures.filter((a) =>
      !archesTaken.has(arch(a))
    );
    const oses = selection.oses.filter((o) => !osesTaken.has(os(o)));
    if (arches.length === 0 && oses.length === 0) return undefined;
    const missing = [
      ...(arches.length ? [`-a ${arches.join(",")}`] : []),
      ...(oses.length ? [`--os ${oses.join(",")}`] : []),
    ];
    return `Snapshot "${this.#name}" was taken for -a ${
      taken.architectures.join(",")
    } --os ${taken.oses.join(",")}: it does not cover ${missing.join(" ")}`;
  }

  /** The source client of `registry`, answering from the snapshot. */
  client(registry: string): ManifestSource {
    const answer = (
      request: "resolve" | "manifest" | "blob",
      repository: string,
      reference: string,
    ) => {
      const found = this.#snapshot.answers[
        answerKey(request, registry, repository, reference)
      ];
      if (found !== undefined && "error" in found) {
        throw new RegistryError(found.error.kind, found.error.message);
      }
      return found as Extract<SnapshotAnswer, { digest: string }> | undefined;
    };
    const notHeld = (repository: string, reference: string) =>
      new RegistryError(
        "not-in-snapshot",
        `"${registry}/${repository}${
          isDigest(reference) ? "@" : ":"
        }${reference}" is not in the snapshot "${this.#name}"`,
      );
    const body = (digest: string) => this.#snapshot.bodies[digest];
    const listed = (
      request: "referrers" | "tags",
      repository: string,
      reference: string,
    ) => {
      const found = this.#snapshot.answers[
        answerKey(request, registry, repository, reference)
      ];
      if (found !== undefined && "error" in found) {
        throw new RegistryError(found.error.kind, found.error.message);
      }
      if (found === undefined) {
        throw new RegistryError(
          "not-in-snapshot",
          `the ${
            request === "tags" ? "tags" : `referrers of ${reference}`
          } of "${registry}/${repository}" are not in the snapshot "${this.#name}"`,
        );
      }
      return found;
    };
    return {
      resolveManifest: (repository, reference) => {
        try {
          const found = answer("resolve", repository, reference) ??
            answer("manifest", repository, reference);
          const digest = found?.digest ??
            (isDigest(reference) && body(reference) ? reference : undefined);
          if (digest === undefined) throw notHeld(repository, reference);
          const mediaType = found?.mediaType ?? body(digest)?.mediaType ?? "";
          return Promise.resolve({ digest, mediaType });
        } catch (error) {
          return Promise.reject(error);
        }
      },
      getManifest: (repository, reference) => {
        try {
          const found = answer("manifest", repository, reference) ??
            answer("resolve", repository, reference);
          const digest = found?.digest ??
            (isDigest(reference) ? reference : undefined);
          const stored = digest === undefined ? undefined : body(digest);
          if (digest === undefined || stored === undefined) {
            throw notHeld(repository, reference);
          }
          return Promise.resolve({
            digest,
            mediaType: found?.mediaType ?? stored.mediaType ?? "",
            body: bodyBytes(stored),
          });
        } catch (error) {
          return Promise.reject(error);
        }
      },
      listReferrers: (repository, digest) => {
        try {
          const found = listed("referrers", repository, digest);
          if (!("referrers" in found)) throw notHeld(repository, digest);
          return Promise.resolve(found.referrers);
        } catch (error) {
          return Promise.reject(error);
        }
      },
      listTags: (repository) => {
        try {
          const found = listed("tags", repository, "-");
          if (!("tags" in found)) throw notHeld(repository, "-");
          return Promise.resolve([...found.tags]);
        } catch (error) {
          return Promise.reject(error);
        }
      },
      getBlob: (repository, digest) => {
        try {
          answer("blob", repository, digest);
          const stored = body(digest);
          if (stored === undefined) throw notHeld(repository, digest);
          return Promise.resolve(bodyBytes(stored));
        } catch (error) {
          return Promise.reject(error);
        }
      },
    };
  }
}
