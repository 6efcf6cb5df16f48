/**
 * The image list file: one image reference, or `SOURCE DEST TAG`, a line.
 *
 * @module
 */

import { isDigest } from "./digest.ts";
import {
  DEFAULT_REGISTRY,
  type ImageReference,
  isTag,
  normalizeRegistry,
  parseReference,
  replaceProject,
} from "./reference.ts";
import { readListLines } from "./_list_lines.ts";

export { readListLines };

/** How list lines become source and destination references. */
export interface ListOptions {
  /**
   * Registry that replaces the source registry of every line (`-s`).
   *
   * @default {undefined} the registry written in the line, else `docker.io`
   */
  source?: string;
  /**
   * Registry that replaces the destination registry of every line (`-d`).
   * Default-format lines are invalid without it.
   *
   * @default {undefined} the registry written in the line
   */
  destination?: string;
  /**
   * Project put in front of a one-segment destination repository.
   *
   * @default {"library"}
   */
  defaultProject?: string;
  /**
   * Project (first path segment) that replaces the source's.
   *
   * @default {undefined} the project is kept
   */
  sourceProject?: string;
  /**
   * Project (first path segment) that replaces the destination's.
   *
   * @default {undefined} the project is kept
   */
  destinationProject?: string;
}

/** A valid line of the list. */
export interface ImageEntry {
  /** Discriminant. */
  kind: "image";
  /** 1-based line number. */
  line: number;
  /** The line trimmed, exactly as written (it goes to the failed file). */
  text: string;
  /** `default` for one reference, `mirror` for `SOURCE DEST TAG`. */
  format: "default" | "mirror";
  /** Where the image comes from. */
  source: ImageReference;
  /** Where the image was mirrored to. */
  destination: ImageReference;
}

/** A line that is neither blank, a comment nor a valid entry. */
export interface InvalidLine {
  /** Discriminant. */
  kind: "invalid";
  /** 1-based line number. */
  line: number;
  /** The line trimmed (at most 200 characters for unreadable lines). */
  text: string;
  /** Why the line is invalid. */
  reason: string;
}

/** One meaningful line of the list. */
export type ListItem = ImageEntry | InvalidLine;

/** Replaces the registry, then applies the one-segment and project rules. */
function _place(
  ref: ImageReference,
  registry: string | undefined,
  onePrefix: string | undefined,
  project: string | undefined,
): ImageReference {
  const placed = { ...ref };
  if (registry !== undefined) placed.registry = normalizeRegistry(registry);
  if (!placed.repository.includes("/")) {
    const hub = placed.registry === DEFAULT_REGISTRY;
    const prefix = hub ? "library" : onePrefix;
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

function _nameOnly(field: string, side: string): ImageReference {
  const ref = parseReference(field);
  const pin = ref.tag !== undefined ? "tag" : ref.digest && "digest";
  if (pin) {
    throw new SyntaxError(`${side} "${field}" has a ${pin}: put it in TAG`);
  }
  return ref;
}

function _entry(
  fields: string[],
  options: ListOptions,
): Pick<ImageEntry, "format" | "source" | "destination"> | string {
  const project = options.defaultProject || "library";
  const source = (ref: ImageReference) =>
    _place(ref, options.source || undefined, undefined, options.sourceProject);
  const destination = (ref: ImageReference, registry: string | undefined) =>
    _place(ref, registry, project, options.destinationProject);
  if (fields.length === 1) {
    const parsed = parseReference(fields[0] ?? "");
    if (!options.destination) {
      return "destination registry is not set: use -d or DEST_REGISTRY";
    }
    return {
      format: "default",
      source: source(parsed),
      destination: destination(parsed, options.destination),
    };
  }
  const [sourceField = "", destinationField = "", target = ""] = fields;
  const parsedSource = _nameOnly(sourceField, "Source");
  const parsedDestination = _nameOnly(destinationField, "Destination");
  const pin: Pick<ImageReference, "tag" | "digest"> = {};
  if (isDigest(target)) pin.digest = target;
  else if (isTag(target)) pin.tag = target;
  else return `TAG "${target}" is neither a tag nor a digest`;
  return {
    format: "mirror",
    source: source({ ...parsedSource, ...pin }),
    destination: destination(
      { ...parsedDestination, ...pin },
      options.destination || undefined,
    ),
  };
}

/**
 * Parses one line of the list. Blank lines and comments (`#`, `//`) give
 * `undefined`; lines that cannot be used give an {@linkcode InvalidLine}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListLine } from "./image_list.ts";
 * const item = parseListLine("nginx:1.27", 1, { destination: "private.io" });
 * assert(item?.kind === "image");
 * if (item?.kind === "image") {
 *   assert(item.destination.registry === "private.io");
 *   assert(item.destination.repository === "library/nginx");
 * }
 * assert(parseListLine("# comment", 2) === undefined);
 * ```
 *
 * @param text The line, as read.
 * @param line The 1-based line number.
 * @param options Registry and project rules.
 * @returns The entry, the invalid line, or `undefined` for nothing.
 */
export function parseListLine(
  text: string,
  line: number,
  options: ListOptions = {},
): ListItem | undefined {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith("//")) {
    return undefined;
  }
  const fields = trimmed.split(/\s+/);
  let result: ReturnType<typeof _entry>;
  if (fields.length !== 1 && fields.length !== 3) {
    result =
      `expected an image reference or "SOURCE DEST TAG", found ${fields.length} fields`;
  } else {
    try {
      result = _entry(fields, options);
    } catch (error) {
      result = error instanceof Error ? error.message : String(error);
    }
  }
  if (typeof result === "string") {
    return { kind: "invalid", line, text: trimmed, reason: result };
  }
  return { kind: "image", line, text: trimmed, ...result };
}

/**
 * Reads an image list stream: {@linkcode readListLines} then
 * {@linkcode parseListLine}. Unreadable lines become invalid lines whose text
 * is cut to 200 characters (empty for invalid UTF-8).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readImageList } from "./image_list.ts";
 * const body = new TextEncoder().encode("# images\nalpine:3\nbad:-x\n");
 * const items = [];
 * for await (const item of readImageList(ReadableStream.from([body]), {
 *   destination: "private.io",
 * })) items.push(item);
 * assert(items.length === 2);
 * assert(items[0]?.kind === "image" && items[1]?.kind === "invalid");
 * ```
 *
 * @param stream The list bytes.
 * @param options Registry and project rules, and the line length limit.
 * @returns The meaningful lines, in order.
 */
export async function* readImageList(
  stream: ReadableStream<Uint8Array>,
  options: ListOptions & { maxLineBytes?: number } = {},
): AsyncGenerator<ListItem> {
  const { maxLineBytes, ...listOptions } = options;
  for await (const read of readListLines(stream, { maxLineBytes })) {
    if (read.error !== undefined) {
      const text = (read.text ?? "").trim().slice(0, 200);
      yield { kind: "invalid", line: read.line, text, reason: read.error };
      continue;
    }
    const item = parseListLine(read.text ?? "", read.line, listOptions);
    if (item !== undefined) yield item;
  }
}
