/**
 * `--source-snapshot` and `--source-layout`: the source side of a validation
 * read from a file instead of the source registry. Opened and checked before
 * any request; every problem is one usage error.
 *
 * @module
 */

// The snapshot and layout readers are loaded only when a flag names one: a
// plain run does not pay for them at start-up (tests/startup_graph_test.ts).
import { UsageError } from "../errors.ts";
import type { ManifestSource } from "../verdict/source.ts";

/** A source side that answers without the source registry. */
export interface OfflineSource {
  /** What it is, for messages: `snapshot "s.json"`. */
  description: string;
  /** The source client of a registry. */
  client(registry: string): ManifestSource;
}

/** The flags that choose an offline source. */
export interface OfflineSourceFlags {
  /** `--source-snapshot`. */
  sourceSnapshot?: string | undefined;
  /** `--source-snapshot-digest`. */
  sourceSnapshotDigest?: string | undefined;
  /** `--source-layout`. */
  sourceLayout?: string | undefined;
}

const SHA256 = /^sha256:[a-fA-F0-9]{64}$/;

/**
 * Opens the snapshot or layout the flags name, or none.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { openOfflineSource } from "./offline_source.ts";
 * const selection = { architectures: ["amd64"], oses: ["linux"] };
 * assert.equal(await openOfflineSource({}, selection), undefined);
 * await assert.rejects(
 *   openOfflineSource({ sourceSnapshotDigest: "sha256:00" }, selection),
 *   { message: "--source-snapshot-digest needs --source-snapshot" },
 * );
 * ```
 */
export async function openOfflineSource(
  flags: OfflineSourceFlags,
  selection: { architectures: readonly string[]; oses: readonly string[] },
  checks: { referrers?: boolean } = {},
): Promise<OfflineSource | undefined> {
  const { sourceSnapshot, sourceSnapshotDigest, sourceLayout } = flags;
  if (sourceSnapshot !== undefined && sourceLayout !== undefined) {
    throw new UsageError(
      "Give --source-snapshot or --source-layout, not both: the source is one or the other",
    );
  }
  if (sourceSnapshotDigest !== undefined) {
    if (sourceSnapshot === undefined) {
      throw new UsageError("--source-snapshot-digest needs --source-snapshot");
    }
    if (!SHA256.test(sourceSnapshotDigest)) {
      throw new UsageError(
        `Invalid --source-snapshot-digest "${sourceSnapshotDigest}": expected sha256: and 64 hex digits`,
      );
    }
  }
  if (sourceSnapshot !== undefined) {
    const [{ readSnapshotFile }, { SnapshotSource }] = await Promise.all([
      import("../sources/snapshot_file.ts"),
      import("../sources/snapshot_source.ts"),
    ]);
    const snapshot = await readSnapshotFile(
      sourceSnapshot,
      sourceSnapshotDigest ? { digest: sourceSnapshotDigest } : {},
    );
    const source = new SnapshotSource(snapshot, sourceSnapshot);
    const problem = source.coverageProblem(selection, checks);
    if (problem !== undefined) throw new UsageError(problem);
    return {
      description: `snapshot "${sourceSnapshot}"`,
      client: (registry) => source.client(registry),
    };
  }
  if (sourceLayout !== undefined) {
    const { openOciLayout } = await import("../sources/oci_layout.ts");
    const layout = await openOciLayout(sourceLayout);
    return {
      description: `OCI layout "${sourceLayout}"`,
      client: (registry) => layout.client(registry),
    };
  }
  return undefined;
}
