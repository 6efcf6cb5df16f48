/**
 * The content descriptor: what a manifest says about another blob or manifest.
 *
 * @module
 */

import type { Platform } from "./platform.ts";

/** A content descriptor: what a manifest says about another blob or manifest. */
export interface Descriptor {
  /** Media type of the content; `""` when the descriptor names none. */
  mediaType: string;
  /** Digest of the content. */
  digest: string;
  /** Size of the content in bytes. */
  size: number;
  /** Platform of an index entry; `undefined` when missing or malformed. */
  platform?: Platform;
  /** Annotations, when present. */
  annotations?: Record<string, string>;
  /**
   * Where a foreign (non-distributable) layer can be downloaded; a registry
   * need not hold such a layer.
   */
  urls?: string[];
  /** The artifact type of a referrer (OCI 1.1), when given. */
  artifactType?: string;
}
