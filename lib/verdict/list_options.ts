/**
 * What `validateList` (validate.ts) takes and gives: its options and the result
 * of one line. validate.ts re-exports them.
 *
 * @module
 */

import type { ImageEntry } from "../list/image_list.ts";
import type { ClientFactory } from "./source.ts";
import type { ImageCheck, ImageOutcome } from "./outcome.ts";

/** One line of the list after validation. */
export type LineResult =
  | { kind: "invalid"; line: number; text: string; reason: string }
  | {
    kind: "image";
    /** 1-based index of the valid line (M_ID). */
    id: number;
    line: number;
    text: string;
    entry: ImageEntry;
    /** The verdict, or undefined when the run was interrupted before it finished. */
    outcome?: ImageOutcome;
    durationMs: number;
  };

/** Options of `validateList`. */
export interface ValidateListOptions {
  /** The client for a registry and side. */
  clients: ClientFactory;
  /**
   * Architectures to check.
   *
   * @default {["amd64", "arm64"]}
   */
  architectures?: readonly string[];
  /**
   * Operating systems to check.
   *
   * @default {["linux", "windows"]}
   */
  oses?: readonly string[];
  /**
   * Images validated at once; clamped to 1..20 as the CLI's `-j` is.
   *
   * @default {1}
   */
  jobs?: number;
  /**
   * Limit for one image in milliseconds; 0, or more than `MAX_TIMER_MS`
   * (about 24.8 days), for none.
   *
   * @default {600000}
   */
  timeoutMs?: number;
  /**
   * Interrupts the run: no new image starts; images in flight are abandoned
   * after `graceMs`; every line not validated is yielded without an outcome.
   */
  signal?: AbortSignal;
  /**
   * How long images in flight may finish after an interruption, in ms.
   *
   * @default {3000}
   */
  graceMs?: number;
  /**
   * Abandons images in flight at once, without waiting for `graceMs` (a
   * second interruption); like `signal`, no new image starts and every line
   * not validated is yielded without an outcome.
   */
  abandon?: AbortSignal;
  /**
   * The work done for each image: the verdict rules, or another check of
   * the same shape (recording a snapshot reads only the source).
   *
   * @default {validateImage}
   */
  check?: ImageCheck;
  /**
   * Checks beyond the verdict rules for images that pass them: `deep`
   * (every blob of the selected platforms is in the destination),
   * `referrers` (signatures, attestations, SBOMs), `provenance` (BuildKit
   * attestation manifests).
   *
   * @default {{}}
   */
  extra?: { deep?: boolean; referrers?: boolean; provenance?: boolean };
  /** Clock in ms, for durations. @default {performance.now} */
  now?: () => number;
}
