/**
 * Private helper of image_list.ts: how the names written in a list line
 * become source and destination references (registry replaced, one-segment
 * names prefixed, projects replaced).
 *
 * @module
 */

import {
  DEFAULT_REGISTRY,
  type ImageReference,
  normalizeRegistry,
  parseReference,
  replaceProject,
} from "../types/reference.ts";
import { isRegistrySegment } from "../types/reference_grammar.ts";

/**
 * Replaces the registry (when given), then puts `onePrefix` in front of a
 * one-segment repository (`library` on Docker Hub when there is none), then
 * replaces the project (when given).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { placeReference } from "./_list_names.ts";
 * const ref = { registry: "quay.io", repository: "etcd" };
 * assert.deepEqual(placeReference(ref, "r.io", "foo", undefined), {
 *   registry: "r.io",
 *   repository: "foo/etcd",
 * });
 * assert.deepEqual(placeReference(ref, "docker.io", "", undefined), {
 *   registry: "docker.io",
 *   repository: "library/etcd",
 * });
 * ```
 */
export function placeReference(
  ref: ImageReference,
  registry: string | undefined,
  onePrefix: string | undefined,
  project: string | undefined,
): ImageReference {
  const placed = { ...ref };
  if (registry !== undefined) placed.registry = normalizeRegistry(registry);
  if (!placed.repository.includes("/")) {
    const hub = placed.registry === DEFAULT_REGISTRY;
    const prefix = onePrefix || (hub ? "library" : undefined);
    if (prefix) placed.repository = replaceProject(placed.repository, prefix);
  }
  if (project !== undefined) {
    placed.repository = replaceProject(placed.repository, project);
  }
  const length = placed.registry.length + 1 + placed.repository.length;
  if (length > 255) {
    throw new SyntaxError(
      `Cannot use repository "${placed.registry}/${placed.repository}": repository name must not be more than 255 characters`,
    );
  }
  return placed;
}

/**
 * Parses the SOURCE or DEST field of a mirror-format line: a name without tag
 * or digest (those go in TAG). Besides the reference (`library/` added on
 * Docker Hub), it gives the path as written, where a one-segment name stays
 * one segment, and whether the field names its registry.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { mirrorName } from "./_list_names.ts";
 * assert.deepEqual(mirrorName("host:5000/solo", "Destination"), {
 *   ref: { registry: "host:5000", repository: "solo" },
 *   path: "solo",
 *   named: true,
 * });
 * assert.deepEqual(mirrorName("mirrored-nginx", "Destination"), {
 *   ref: { registry: "docker.io", repository: "library/mirrored-nginx" },
 *   path: "mirrored-nginx",
 *   named: false,
 * });
 * assert.throws(() => mirrorName("nginx:1", "Source"), SyntaxError);
 * ```
 */
export function mirrorName(
  field: string,
  side: string,
): { ref: ImageReference; path: string; named: boolean } {
  const ref = parseReference(field);
  const pin = ref.tag !== undefined ? "tag" : ref.digest && "digest";
  if (pin) {
    throw new SyntaxError(`${side} "${field}" has a ${pin}: put it in TAG`);
  }
  const segments = field.split("/");
  const named = segments.length > 1 && isRegistrySegment(segments[0]!);
  return { ref, path: segments.slice(named ? 1 : 0).join("/"), named };
}
