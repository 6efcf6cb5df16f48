/**
 * Image references, `[REGISTRY/][PROJECT/]NAME[:TAG][@DIGEST]`, parsed and
 * validated against the distribution reference grammar.
 *
 * @module
 */

import { isDigest } from "./digest.ts";
import {
  isRegistrySegment,
  MAX_NAME_LENGTH,
  normalizeValidRegistry,
  pathProblem,
  registryProblem,
  tagProblem,
} from "./reference_grammar.ts";

/** The registry of references that name none. */
export const DEFAULT_REGISTRY = "docker.io";

/** A parsed image reference. */
export interface ImageReference {
  /** Normalised registry host, with its port when there is one. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/nginx`. */
  repository: string;
  /** Tag, when the reference has one. */
  tag?: string;
  /** Digest, when the reference has one. */
  digest?: string;
}

/** Options of {@linkcode parseReference}. */
export interface ParseReferenceOptions {
  /**
   * Registry used when the reference does not name one.
   *
   * @default {"docker.io"}
   */
  defaultRegistry?: string;
}

/**
 * Tells whether `value` is a valid tag: `[\w][\w.-]{0,127}`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTag } from "./reference.ts";
 * assert(isTag("v1.2.3"));
 * assert(!isTag("-x"));
 * ```
 *
 * @param value The string to check.
 * @returns `true` when `value` is a valid tag.
 */
export function isTag(value: string): boolean {
  return tagProblem(value) === undefined;
}

/**
 * Validates and normalises a registry name: lowercase, with `index.docker.io`
 * and `registry-1.docker.io` becoming `docker.io`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeRegistry } from "./reference.ts";
 * assert(normalizeRegistry("Index.Docker.IO") === "docker.io");
 * assert(normalizeRegistry("[::1]:5000") === "[::1]:5000");
 * ```
 *
 * @param registry The registry host, with an optional port.
 * @returns The normalised registry.
 * @throws {SyntaxError} When the name is not a valid registry.
 */
export function normalizeRegistry(registry: string): string {
  const detail = registryProblem(registry);
  if (detail) {
    throw new SyntaxError(`Cannot parse registry "${registry}": ${detail}`);
  }
  return normalizeValidRegistry(registry);
}

/** The parsed reference, or what is wrong with it. */
function _parse(
  input: string,
  defaultRegistry: string,
): ImageReference | string {
  if (input === "") return "reference is empty";
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (digest === "") return "digest is empty";
    if (!isDigest(digest)) return `invalid digest "${digest}"`;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    const problem = tagProblem(tag);
    if (problem) return problem;
  }
  if (rest === "") return "repository name is empty";
  const segments = rest.split("/");
  let registry = defaultRegistry;
  if (segments.length > 1 && isRegistrySegment(segments[0] ?? "")) {
    registry = segments.shift() ?? "";
  }
  const problem = registryProblem(registry) ?? pathProblem(segments);
  if (problem) return problem;
  registry = normalizeValidRegistry(registry);
  if (registry === DEFAULT_REGISTRY && segments.length === 1) {
    segments.unshift("library");
  }
  const repository = segments.join("/");
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    return `repository name must not be more than ${MAX_NAME_LENGTH} characters`;
  }
  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * Parses `[REGISTRY/][PROJECT/]NAME[:TAG][@DIGEST]`.
 *
 * The first path segment is a registry when it contains `.` or `:` or is
 * `localhost`. Registries are lowercased and Docker Hub aliases become
 * `docker.io`, where one-segment names get `library/`. An absent tag stays
 * `undefined`.
 *
 * @example Usage
 * ```ts
 * import { parseReference } from "./reference.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * deepStrictEqual(parseReference("nginx:1.27"), {
 *   registry: "docker.io",
 *   repository: "library/nginx",
 *   tag: "1.27",
 * });
 * deepStrictEqual(parseReference("localhost:5000/a/b"), {
 *   registry: "localhost:5000",
 *   repository: "a/b",
 * });
 * ```
 *
 * @param input The reference text.
 * @param options Parsing options.
 * @returns The parsed reference.
 * @throws {SyntaxError} When the reference does not follow the grammar.
 */
export function parseReference(
  input: string,
  options: ParseReferenceOptions = {},
): ImageReference {
  const parsed = _parse(input, options.defaultRegistry ?? DEFAULT_REGISTRY);
  if (typeof parsed === "string") {
    throw new SyntaxError(`Cannot parse image reference "${input}": ${parsed}`);
  }
  return parsed;
}

/**
 * Formats a reference as `registry/repository[:tag][@digest]`, adding nothing.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatReference } from "./reference.ts";
 * const ref = { registry: "quay.io", repository: "a/b", tag: "1" };
 * assert(formatReference(ref) === "quay.io/a/b:1");
 * ```
 *
 * @param ref The reference.
 * @returns The reference text.
 */
export function formatReference(ref: ImageReference): string {
  let text = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) text += `:${ref.tag}`;
  if (ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}

/**
 * The tag or digest to request a manifest by: the digest when there is one,
 * else the tag, else `latest`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestTarget } from "./reference.ts";
 * assert(
 *   manifestTarget({ registry: "docker.io", repository: "library/a" }) === "latest",
 * );
 * ```
 *
 * @param ref The reference.
 * @returns A digest or a tag.
 */
export function manifestTarget(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? "latest";
}

/**
 * The host to talk to for a registry: Docker Hub's API lives on
 * `registry-1.docker.io`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { registryEndpoint } from "./reference.ts";
 * assert(registryEndpoint("docker.io") === "registry-1.docker.io");
 * assert(registryEndpoint("quay.io") === "quay.io");
 * ```
 *
 * @param registry A normalised registry name.
 * @returns The host (and port) to connect to.
 */
export function registryEndpoint(registry: string): string {
  return registry === DEFAULT_REGISTRY || registry === "index.docker.io"
    ? "registry-1.docker.io"
    : registry;
}

/**
 * Replaces the project (first path segment) of a repository; a one-segment
 * repository gets `project/` in front.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { replaceProject } from "./reference.ts";
 * assert(replaceProject("library/nginx", "mirror") === "mirror/nginx");
 * assert(replaceProject("nginx", "mirror") === "mirror/nginx");
 * ```
 *
 * @param repository The repository path.
 * @param project The new project; one or more valid path components.
 * @returns The repository path with the project replaced.
 * @throws {SyntaxError} When `project` is not a valid repository path.
 */
export function replaceProject(repository: string, project: string): string {
  const problem = pathProblem(project.split("/"));
  if (problem) {
    throw new SyntaxError(`Cannot parse project "${project}": ${problem}`);
  }
  const slash = repository.indexOf("/");
  return slash < 0
    ? `${project}/${repository}`
    : `${project}${repository.slice(slash)}`;
}
