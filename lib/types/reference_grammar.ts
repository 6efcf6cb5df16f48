/**
 * The distribution reference grammar, for reference.ts and the list's name rules.
 *
 * @module
 */

/** Longest repository name, registry included. */
export const MAX_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io"]);

/** Why a tag is invalid, or `undefined` when it is valid. */
export function tagProblem(tag: string): string | undefined {
  if (tag === "") return "tag is empty";
  if (tag.length > 128) return "tag is longer than 128 characters";
  if (!TAG.test(tag)) return `invalid tag "${tag}"`;
  return undefined;
}

/** Why a registry name is invalid, or `undefined` when it is valid. */
export function registryProblem(registry: string): string | undefined {
  if (registry === "") return "registry is empty";
  if (!DOMAIN.test(registry)) return `invalid registry "${registry}"`;
  return undefined;
}

/** Lowercases a valid registry name and maps Docker Hub aliases. */
export function normalizeValidRegistry(registry: string): string {
  const lower = registry.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? "docker.io" : lower;
}

/** Tells whether the first path segment of a name is a registry. */
export function isRegistrySegment(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") ||
    segment === "localhost";
}

/** Why repository path segments are invalid, or `undefined`. */
export function pathProblem(segments: readonly string[]): string | undefined {
  for (const segment of segments) {
    if (segment === "") return "repository name has an empty path component";
    if (PATH_COMPONENT.test(segment)) continue;
    if (PATH_COMPONENT.test(segment.toLowerCase())) {
      return "repository name must be lowercase";
    }
    return `invalid repository path component "${segment}"`;
  }
  return undefined;
}
