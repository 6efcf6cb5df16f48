/**
 * The validation engine: the steps of the verdict rules for one image (which
 * request to send when), and a stream of results for a whole list.
 *
 * @module
 */

import {
  compareImages,
  needsDestinationConfig,
  type PlatformSpec,
  type ResolvedImage,
  selectedSourcePlatforms,
  SKIP_REASON,
  type Verdict,
} from "./compare.ts";
import { type FailureKind, RegistryError } from "./errors.ts";
import type { ImageEntry, ListItem } from "./image_list.ts";
import {
  MAX_MANIFEST_BYTES,
  parseImageConfig,
  parseManifest,
} from "./manifest.ts";
import { formatDuration } from "./duration.ts";
import type { PlatformSelection } from "./platform.ts";
import { mapUnordered } from "./pool.ts";
import {
  formatReference,
  type ImageReference,
  manifestTarget,
} from "./reference.ts";

/** Which side of the mirror a registry is on. */
export type Side = "source" | "destination";

/** What the engine needs from a registry. `RegistryClient` implements it. */
export interface ManifestSource {
  /** Resolves a tag or digest to a digest (HEAD first; a body when it had to GET). */
  resolveManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; mediaType: string; body?: Uint8Array }>;
  /** Fetches a manifest body, verified against the digest it was asked by. */
  getManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; mediaType: string; body: Uint8Array }>;
  /** Fetches a blob, verified against its digest. */
  getBlob(
    repository: string,
    digest: string,
    options?: { maxBytes?: number; signal?: AbortSignal },
  ): Promise<Uint8Array>;
}

/** Gives the client for a registry on one side; called once per pair. */
export type ClientFactory = (registry: string, side: Side) => ManifestSource;

/** Default architectures checked. */
export const DEFAULT_ARCHITECTURES: readonly string[] = ["amd64", "arm64"];
/** Default operating systems checked. */
export const DEFAULT_OSES: readonly string[] = ["linux", "windows"];

/** Options of {@linkcode validateImage}. */
export interface ValidateImageOptions {
  /** The client for a registry and side. */
  clients: ClientFactory;
  /** The platforms that count. */
  selection: PlatformSelection;
  /** Aborts the work of this image. */
  signal?: AbortSignal;
}

/** The verdict of one image, with the platforms compared. */
export interface ImageOutcome {
  /** The verdict. */
  verdict: Verdict;
  /** Selected source platforms, when the source was read. */
  srcSpec?: PlatformSpec[];
  /** Destination digest/platforms, when the destination was read. */
  dstSpec?: PlatformSpec[];
}

/**
 * Validates one image following verdict rules 1-8: HEAD both sides at once,
 * stop at equal digests, then read only what the rules need.
 *
 * @example Usage
 * ```ts ignore
 * const outcome = await validateImage(entry, { clients, selection });
 * ```
 */
export async function validateImage(
  entry: Pick<ImageEntry, "source" | "destination">,
  options: ValidateImageOptions,
): Promise<ImageOutcome> {
  const { signal, selection } = options;
  const src = options.clients(entry.source.registry, "source");
  const dst = options.clients(entry.destination.registry, "destination");
  const [srcHead, dstHead] = await Promise.allSettled([
    src.resolveManifest(
      entry.source.repository,
      manifestTarget(entry.source),
      signal,
    ),
    dst.resolveManifest(
      entry.destination.repository,
      manifestTarget(entry.destination),
      signal,
    ),
  ]);
  if (
    srcHead.status === "fulfilled" && dstHead.status === "fulfilled" &&
    srcHead.value.digest === dstHead.value.digest
  ) {
    return { verdict: { status: "passed", reason: "identical", warnings: [] } };
  }
  if (srcHead.status === "rejected") {
    return { verdict: sideFailure("source", srcHead.reason) };
  }

  let source: ResolvedImage;
  try {
    source = await readImage(src, entry.source, srcHead.value, true, signal);
  } catch (error) {
    return { verdict: sideFailure("source", error) };
  }
  const srcSpec = selectedSourcePlatforms(source, selection);
  if (srcSpec.length === 0) {
    return { verdict: { status: "skipped", reason: SKIP_REASON }, srcSpec };
  }
  if (dstHead.status === "rejected") {
    return { verdict: sideFailure("destination", dstHead.reason), srcSpec };
  }

  let destination: ResolvedImage;
  try {
    destination = await readImage(
      dst,
      entry.destination,
      dstHead.value,
      false,
      signal,
    );
    if (needsDestinationConfig(source.manifest, destination.manifest)) {
      destination.platform = await readPlatform(
        dst,
        entry.destination,
        destination,
        signal,
      );
    }
  } catch (error) {
    return { verdict: sideFailure("destination", error), srcSpec };
  }
  const verdict = compareImages(source, destination, selection);
  const dstSpec = destination.manifest.kind === "index"
    ? destination.manifest.manifests.map((d) =>
      d.platform
        ? { digest: d.digest, platform: d.platform }
        : { digest: d.digest }
    )
    : [{
      digest: destination.digest,
      ...(destination.platform ? { platform: destination.platform } : {}),
    }];
  return { verdict, srcSpec, dstSpec };
}

async function readImage(
  client: ManifestSource,
  ref: ImageReference,
  head: { digest: string; mediaType: string; body?: Uint8Array },
  withPlatform: boolean,
  signal: AbortSignal | undefined,
): Promise<ResolvedImage> {
  const fetched = head.body === undefined
    ? await client.getManifest(ref.repository, head.digest, signal)
    : { digest: head.digest, mediaType: head.mediaType, body: head.body };
  let manifest;
  try {
    manifest = parseManifest(fetched.body, fetched.mediaType);
  } catch (error) {
    throw new RegistryError(
      "invalid-manifest",
      `manifest is invalid: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  const image: ResolvedImage = { digest: fetched.digest, manifest };
  if (withPlatform && manifest.kind === "image") {
    image.platform = await readPlatform(client, ref, image, signal);
  }
  return image;
}

async function readPlatform(
  client: ManifestSource,
  ref: ImageReference,
  image: ResolvedImage,
  signal: AbortSignal | undefined,
) {
  if (image.manifest.kind !== "image") return undefined;
  const body = await client.getBlob(
    ref.repository,
    image.manifest.config.digest,
    {
      maxBytes: MAX_MANIFEST_BYTES,
      signal,
    },
  );
  try {
    return parseImageConfig(body);
  } catch (error) {
    throw new RegistryError(
      "invalid-manifest",
      `image config is invalid: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Turns an error on one side into a FAIL verdict that names the real cause;
 * only a 404 is reported as "does not exist".
 */
export function sideFailure(side: Side, error: unknown): Verdict {
  const kind = kindOf(error);
  if (kind === "missing") {
    return {
      status: "failed",
      kind,
      reason: `${side} manifest does not exist`,
    };
  }
  return { status: "failed", kind, reason: `${side}: ${messageOf(error)}` };
}

function kindOf(error: unknown): FailureKind {
  if (error instanceof RegistryError) return error.kind;
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return "timeout";
  }
  return "network";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

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

/** Options of {@linkcode validateList}. */
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
   * Images validated at once.
   *
   * @default {1}
   */
  jobs?: number;
  /**
   * Limit for one image in milliseconds; 0 for none.
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
  /** Clock in ms, for durations. @default {performance.now} */
  now?: () => number;
}

/**
 * Validates every line of a list, yielding each result as soon as it is known.
 * Repeated source/destination pairs are validated once.
 *
 * @example Usage
 * ```ts ignore
 * for await (const result of validateList(readImageList(stream, opts), { clients })) {
 *   console.log(result);
 * }
 * ```
 */
export async function* validateList(
  items: AsyncIterable<ListItem> | Iterable<ListItem>,
  options: ValidateListOptions,
): AsyncGenerator<LineResult> {
  const selection: PlatformSelection = {
    architectures: options.architectures ?? DEFAULT_ARCHITECTURES,
    oses: options.oses ?? DEFAULT_OSES,
  };
  const now = options.now ?? (() => performance.now());
  const timeoutMs = options.timeoutMs ?? 600_000;
  const abandon = new AbortController();
  const onInterrupt = () => {
    const timer = setTimeout(() => abandon.abort(), options.graceMs ?? 3000);
    abandonTimers.push(timer);
  };
  const abandonTimers: ReturnType<typeof setTimeout>[] = [];
  options.signal?.addEventListener("abort", onInterrupt, { once: true });

  const seen = new Map<string, Promise<ImageOutcome | undefined>>();
  const source = numbered(items);
  const pulled: AsyncIterable<Numbered> = {
    [Symbol.asyncIterator]: () => ({ next: () => source.next() }),
  };

  const run = async (item: Numbered): Promise<LineResult> => {
    if (item.kind === "invalid") return item;
    const started = now();
    const key = `${formatReference(item.source)} ${
      formatReference(item.destination)
    }`;
    let pending = seen.get(key);
    if (pending === undefined) {
      pending = runOne(
        item,
        selection,
        options.clients,
        timeoutMs,
        abandon.signal,
      );
      seen.set(key, pending);
    }
    const outcome = await pending;
    if (outcome === undefined) seen.delete(key);
    return {
      kind: "image",
      id: item.id,
      line: item.line,
      text: item.text,
      entry: item,
      outcome,
      durationMs: now() - started,
    };
  };

  try {
    yield* mapUnordered(pulled, run, {
      concurrency: options.jobs ?? 1,
      signal: options.signal,
    });
    for await (const item of pulled) {
      yield item.kind === "invalid" ? item : {
        kind: "image",
        id: item.id,
        line: item.line,
        text: item.text,
        entry: item,
        durationMs: 0,
      };
    }
  } finally {
    options.signal?.removeEventListener("abort", onInterrupt);
    for (const timer of abandonTimers) clearTimeout(timer);
  }
}

type Numbered =
  | Extract<ListItem, { kind: "invalid" }>
  | (ImageEntry & { id: number });

async function* numbered(
  items: AsyncIterable<ListItem> | Iterable<ListItem>,
): AsyncGenerator<Numbered> {
  let id = 0;
  for await (const item of items) {
    yield item.kind === "invalid" ? item : { ...item, id: ++id };
  }
}

async function runOne(
  entry: ImageEntry,
  selection: PlatformSelection,
  clients: ClientFactory,
  timeoutMs: number,
  abandon: AbortSignal,
): Promise<ImageOutcome | undefined> {
  if (abandon.aborted) return undefined;
  const timeout = new AbortController();
  const timer = timeoutMs > 0
    ? setTimeout(() => timeout.abort(), timeoutMs)
    : undefined;
  const signal = AbortSignal.any([timeout.signal, abandon]);
  try {
    const work = validateImage(entry, { clients, selection, signal });
    const stopped = new Promise<"stopped">((resolve) => {
      if (signal.aborted) resolve("stopped");
      signal.addEventListener("abort", () => resolve("stopped"), {
        once: true,
      });
    });
    const outcome = await Promise.race([work, stopped]);
    if (outcome !== "stopped") return outcome;
    work.catch(() => {});
    if (abandon.aborted) return undefined;
    return {
      verdict: {
        status: "failed",
        kind: "timeout",
        reason: `validation did not finish within ${formatDuration(timeoutMs)}`,
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
