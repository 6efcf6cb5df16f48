/**
 * The image list file: one image reference, or `SOURCE DEST TAG`, a line.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import { isDigest } from "../types/digest.ts";
import {
  type ImageReference,
  isTag,
  parseReference,
} from "../types/reference.ts";
import { mirrorName, placeReference } from "./_list_names.ts";
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
   * Project put in front of a one-segment destination repository that names
   * no registry of its own (a mirror-format DEST such as `mirrored-nginx`, or
   * the path of a default-format line such as `quay.io/etcd`). `""` puts none
   * (Docker Hub still gets `library/`, as it requires).
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

/** The reason of a default-format line when no destination registry is set. */
export const NO_DESTINATION =
  "destination registry is not set: use -d or DEST_REGISTRY";

function _entry(
  fields: string[],
  options: ListOptions,
): Pick<ImageEntry, "format" | "source" | "destination"> | string {
  const project = options.defaultProject ?? "library";
  const source = (ref: ImageReference) =>
    placeReference(
      ref,
      options.source || undefined,
      undefined,
      options.sourceProject,
    );
  if (fields.length === 1) {
    const parsed = parseReference(fields[0] ?? "");
    if (!options.destination) return NO_DESTINATION;
    return {
      format: "default",
      source: source(parsed),
      destination: placeReference(
        parsed,
        options.destination,
        project,
        options.destinationProject,
      ),
    };
  }
  const [sourceField = "", destinationField = "", target = ""] = fields;
  // DEST's path is used as written: one segment stays one segment when DEST
  // names its registry (on Docker Hub `x` is `library/x`); when it names
  // none, it gets the default project.
  const parsedSource = mirrorName(sourceField, "Source").ref;
  const { ref, path, named } = mirrorName(destinationField, "Destination");
  const parsedDestination = { ...ref, repository: path };
  const pin: Pick<ImageReference, "tag" | "digest"> = {};
  if (isDigest(target)) pin.digest = target;
  else if (isTag(target)) pin.tag = target;
  else return `TAG "${target}" is neither a tag nor a digest`;
  return {
    format: "mirror",
    source: source({ ...parsedSource, ...pin }),
    destination: placeReference(
      { ...parsedDestination, ...pin },
      options.destination || undefined,
      named ? undefined : project,
      options.destinationProject,
    ),
  };
}

/**
 * Parses one line of the list. Blank lines and comments (`#`, `//`) give
 * `undefined`; a `#` after whitespace starts a trailing comment (the entry's
 * `text` keeps it, as written); lines that cannot be used give an
 * {@linkcode InvalidLine}.
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
 * assert(parseListLine("nginx  # note", 3, { destination: "r.io" })?.kind === "image");
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
  // A `#` after whitespace starts a trailing comment; `a#b` stays one field.
  const fields = trimmed.replace(/\s#.*$/s, "").trimEnd().split(/\s+/);
  let result: ReturnType<typeof _entry>;
  if (fields.length !== 1 && fields.length !== 3) {
    result =
      `expected an image reference or "SOURCE DEST TAG", found ${fields.length} fields`;
  } else {
    try {
      result = _entry(fields, options);
    } catch (error) {
      result = errorMessage(error);
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
 * is cut to 200 characters (invalid UTF-8 bytes shown as `\xNN`).
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
