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

/** The value of `work`, or its throw, as a promise. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}

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
    // What the source answered to a request; an answer that was a failure
    // is thrown again, as the source gave it.
    const recorded = (
      request: Parameters<typeof answerKey>[0],
      repository: string,
      reference: string,
    ): SnapshotAnswer | undefined => {
      const found = this.#snapshot.answers[
        answerKey(request, registry, repository, reference)
      ];
      if (found !== undefined && "error" in found) {
        throw new RegistryError(found.error.kind, found.error.message);
      }
      return found;
    };
    const digestOf = (
      request: "resolve" | "manifest",
      repository: string,
      reference: string,
    ) => {
      const found = recorded(request, repository, reference);
      return found !== undefined && "digest" in found ? found : undefined;
    };
    const notHeld = (repository: string, reference: string) =>
      new RegistryError(
        "not-in-snapshot",
        `"${registry}/${repository}${
          isDigest(reference) ? "@" : ":"
        }${reference}" is not in the snapshot "${this.#name}"`,
      );
    const listNotHeld = (what: string, repository: string) =>
      new RegistryError(
        "not-in-snapshot",
        `the ${what} of "${registry}/${repository}" are not in the snapshot "${this.#name}"`,
      );
    const body = (digest: string) => this.#snapshot.bodies[digest];
    return {
      resolveManifest: (repository, reference) =>
        settle(() => {
          const found = digestOf("resolve", repository, reference) ??
            digestOf("manifest", repository, reference);
          const digest = found?.digest ??
            (isDigest(reference) && body(reference) ? reference : undefined);
          if (digest === undefined) throw notHeld(repository, reference);
          const mediaType = found?.mediaType ?? body(digest)?.mediaType ?? "";
          return { digest, mediaType };
        }),
      getManifest: (repository, reference) =>
        settle(() => {
          const found = digestOf("manifest", repository, reference) ??
            digestOf("resolve", repository, reference);
          const digest = found?.digest ??
            (isDigest(reference) ? reference : undefined);
          const stored = digest === undefined ? undefined : body(digest);
          if (digest === undefined || stored === undefined) {
            throw notHeld(repository, reference);
          }
          return {
            digest,
            mediaType: found?.mediaType ?? stored.mediaType ?? "",
            body: bodyBytes(stored),
          };
        }),
      listReferrers: (repository, digest) =>
        settle(() => {
          const found = recorded("referrers", repository, digest);
          if (found === undefined || !("referrers" in found)) {
            throw listNotHeld(`referrers of ${digest}`, repository);
          }
          return found.referrers;
        }),
      listTags: (repository) =>
        settle(() => {
          const found = recorded("tags", repository, "-");
          if (found === undefined || !("tags" in found)) {
            throw listNotHeld("tags", repository);
          }
          return [...found.tags];
        }),
      getBlob: (repository, digest) =>
        settle(() => {
          recorded("blob", repository, digest);
          const stored = body(digest);
          if (stored === undefined) throw notHeld(repository, digest);
          return bodyBytes(stored);
        }),
    };
  }
}
