/**
 * Validates a whole list: a stream of results, one per line with content, as
 * soon as each is known. At most `jobs` images are validated at once; a line
 * that repeats a pair already validated, or in flight, takes no job slot.
 *
 * @module
 */

import type { ImageEntry, ListItem } from "../list/image_list.ts";
import type { PlatformSelection } from "../types/platform.ts";
import { formatReference } from "../types/reference.ts";
import {
  DEFAULT_ARCHITECTURES,
  DEFAULT_OSES,
  type ImageOutcome,
} from "./validate_image.ts";
import { validateOne } from "./_validate_one.ts";
import { Lookahead } from "./_lookahead.ts";
import { BlobChecks } from "./deep_check.ts";
import type { ExtraChecks } from "./outcome.ts";
import { TagLists } from "./referrers_check.ts";

export {
  type ClientFactory,
  DEFAULT_ARCHITECTURES,
  DEFAULT_OSES,
  type ImageCheck,
  type ImageOutcome,
  internalFailure,
  type ManifestSource,
  type Side,
  sideFailure,
  validateImage,
  type ValidateImageOptions,
} from "./validate_image.ts";

export type { LineResult, ValidateListOptions } from "./list_options.ts";
import type { LineResult, ValidateListOptions } from "./list_options.ts";

/** Most images validated at once (`-j`). */
export const MAX_JOBS = 20;

/** List items read ahead of the images being validated. */
const LOOKAHEAD = 40;

/** Pairs remembered for de-duplication; the oldest are forgotten beyond it. */
const SEEN_LIMIT = 10_000;
/** Lines waiting for a pair in flight before the list is read further. */
const WAITING_LIMIT = 1_000;

type ImageItem = ImageEntry & { id: number; started: number };

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
  const jobs = clampJobs(options.jobs);
  const extra: ExtraChecks = {
    ...(options.extra?.deep ? { deep: new BlobChecks() } : {}),
    ...(options.extra?.referrers ? { referrers: new TagLists() } : {}),
    ...(options.extra?.provenance ? { provenance: true } : {}),
  };
  const timeoutMs = options.timeoutMs ?? 600_000;
  const now = options.now ?? (() => performance.now());
  const stop = options.abandon
    ? AbortSignal.any([options.signal, options.abandon].filter((s) => !!s))
    : options.signal;
  const abandon = new AbortController();
  let abandonTimer: ReturnType<typeof setTimeout> | undefined;
  const onStop = () => {
    abandonTimer = setTimeout(() => abandon.abort(), options.graceMs ?? 3000);
  };
  stop?.addEventListener("abort", onStop, { once: true });
  const onAbandon = () => abandon.abort();
  if (options.abandon?.aborted) abandon.abort();
  options.abandon?.addEventListener("abort", onAbandon, { once: true });

  // Read a little ahead, so that each registry hears which repositories
  // come next (tokens are then fetched in batches).
  const iterator = new Lookahead<ListItem>(
    Symbol.asyncIterator in items
      ? (items as AsyncIterable<ListItem>)[Symbol.asyncIterator]()
      : (items as Iterable<ListItem>)[Symbol.iterator](),
    LOOKAHEAD,
    (item) => {
      if (item.kind !== "image") return;
      options.clients(item.source.registry, "source").prefetch?.(
        item.source.repository,
      );
      options.clients(item.destination.registry, "destination").prefetch?.(
        item.destination.repository,
      );
    },
  );
  const seen = new Map<
    string,
    ImageOutcome | Promise<ImageOutcome | undefined>
  >();
  const ready: LineResult[] = [];
  let wake: (() => void) | undefined;
  const settle = (item: ImageItem, outcome: ImageOutcome | undefined) => {
    ready.push(imageResult(item, outcome, now() - item.started));
    wake?.();
  };
  let running = 0;
  let waiting = 0;
  let exhausted = false;
  let nextId = 0;
  let listError: { error: unknown } | undefined;

  try {
    while (true) {
      // Hand over what is known before starting anything new, so that an
      // interruption the consumer raises on a result stops the next start.
      if (ready.length > 0) {
        yield* ready.splice(0);
        continue;
      }
      while (
        !exhausted && !stop?.aborted && running < jobs &&
        waiting < WAITING_LIMIT
      ) {
        let next: IteratorResult<ListItem, undefined>;
        try {
          next = await iterator.next();
        } catch (error) {
          // The list broke off: the images in flight still finish.
          listError = { error };
          exhausted = true;
          break;
        }
        if (next.done) {
          exhausted = true;
          break;
        }
        const item = next.value;
        if (item.kind === "invalid") {
          ready.push(item);
          continue;
        }
        const image: ImageItem = { ...item, id: ++nextId, started: now() };
        const key = `${formatReference(item.source)} ${
          formatReference(item.destination)
        }`;
        const known = seen.get(key);
        if (known instanceof Promise) {
          waiting++;
          known.then((outcome) => {
            waiting--;
            settle(image, outcome);
          });
        } else if (known !== undefined) {
          ready.push(imageResult(image, known, 0));
        } else {
          running++;
          const work = validateOne(image, {
            selection,
            clients: options.clients,
            timeoutMs,
            abandon: abandon.signal,
            ...(options.check ? { check: options.check } : {}),
            extra,
          });
          seen.set(key, work);
          work.then((outcome) => {
            running--;
            if (outcome === undefined) seen.delete(key);
            else {
              seen.delete(key);
              seen.set(key, outcome);
              while (seen.size > SEEN_LIMIT) {
                seen.delete(seen.keys().next().value!);
              }
            }
            settle(image, outcome);
          });
        }
        if (ready.length > 0) break;
      }
      if (ready.length > 0) continue;
      if (running === 0 && waiting === 0) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    if (listError) throw listError.error;
    // Interrupted: every line not yet validated is reported as not run.
    if (!exhausted) {
      while (true) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const item = next.value;
        yield item.kind === "invalid"
          ? item
          : imageResult({ ...item, id: ++nextId, started: 0 }, undefined, 0);
      }
    }
  } finally {
    stop?.removeEventListener("abort", onStop);
    options.abandon?.removeEventListener("abort", onAbandon);
    // Deno's global timers are its Node ones: the first clearTimeout() of a
    // process loads them (12-15 ms), so it is called only for a timer made.
    if (abandonTimer !== undefined) clearTimeout(abandonTimer);
    if (!exhausted) await iterator.return();
  }
}

function imageResult(
  item: ImageItem,
  outcome: ImageOutcome | undefined,
  durationMs: number,
): LineResult {
  const entry: ImageEntry = {
    kind: "image",
    line: item.line,
    text: item.text,
    format: item.format,
    source: item.source,
    destination: item.destination,
  };
  const result: LineResult = {
    kind: "image",
    id: item.id,
    line: item.line,
    text: item.text,
    entry,
    durationMs,
  };
  if (outcome !== undefined) result.outcome = outcome;
  return result;
}

/**
 * Images validated at once, as the CLI takes `-j`: a whole number in 1..20
 * (anything else, NaN included, becomes the nearest bound or 1).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { clampJobs } from "./validate.ts";
 * assert.deepEqual([clampJobs(0), clampJobs(7.9), clampJobs(50), clampJobs(NaN)], [1, 7, 20, 1]);
 * ```
 */
export function clampJobs(jobs: number | undefined): number {
  const whole = Math.floor(jobs ?? 1);
  return Number.isNaN(whole) ? 1 : Math.min(MAX_JOBS, Math.max(1, whole));
}
