/**
 * One image of a list under its time limit: the timer, the abandon signal,
 * and the verdict when the limit is reached. Private helper of validate.ts.
 *
 * @module
 */

import type { ImageEntry } from "../list/image_list.ts";
import { formatDuration, MAX_TIMER_MS } from "../types/duration.ts";
import type { PlatformSelection } from "../types/platform.ts";
import type { ClientFactory } from "./source.ts";
import { startDeadline } from "../transport/deadlines.ts";
import {
  type ExtraChecks,
  type ImageCheck,
  type ImageOutcome,
  internalFailure,
  validateImage,
} from "./validate_image.ts";

/** What {@linkcode validateOne} needs besides the entry. */
export interface ValidateOneOptions {
  /** The platforms that count. */
  selection: PlatformSelection;
  /** The client for a registry and side. */
  clients: ClientFactory;
  /** Limit for the image in ms; 0, or beyond the timer limit, for none. */
  timeoutMs: number;
  /** Abandons the image at once (the run's second interrupt). */
  abandon: AbortSignal;
  /** The work done for the image. @default {validateImage} */
  check?: ImageCheck;
  /** Checks beyond the verdict rules, with their run-wide state. */
  extra?: ExtraChecks;
}

/** How long a timed-out image may take to say which request it was waiting for. */
const NAMING_GRACE_MS = 1000;

/** The value of `work` when it settles within `ms`; undefined otherwise. */
async function settledWithin<T>(
  work: Promise<T>,
  ms: number,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Validates one image under its `--timeout` limit and the run's `abandon`
 * signal: undefined when abandoned; a timeout names the request in flight
 * when the image says so within a second; any other throw is `internal`.
 */
export async function validateOne(
  entry: ImageEntry,
  options: ValidateOneOptions,
): Promise<ImageOutcome | undefined> {
  const { selection, clients, timeoutMs, abandon } = options;
  const check = options.check ?? validateImage;
  if (abandon.aborted) return undefined;
  // The image's own controller, not AbortSignal.any([timeout, abandon]): a
  // signal made by any() (and every Request and any() made from it later)
  // stays registered with the run-long `abandon` until a full GC, and one
  // with a listener never leaves it: every image's objects would be kept.
  const image = new AbortController();
  const onAbandon = () => image.abort(abandon.reason);
  abandon.addEventListener("abort", onAbandon, { once: true });
  // A limit beyond the timer limit (about 24.8 days) is no limit: a timer
  // given more would fire at once.
  // One shared timer for the images of a run (they all have the same limit).
  const cancelTimer = timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS
    ? startDeadline(timeoutMs, () =>
      image.abort(
        new DOMException(
          `timed out after ${formatDuration(timeoutMs)}`,
          "TimeoutError",
        ),
      ))
    : undefined;
  const signal = image.signal;
  let onStopped = () => {};
  try {
    const work = check(entry, {
      clients,
      selection,
      signal,
      ...(options.extra ? { extra: options.extra } : {}),
    });
    const stopped = new Promise<"stopped">((resolve) => {
      onStopped = () => resolve("stopped");
      if (signal.aborted) resolve("stopped");
      signal.addEventListener("abort", onStopped, { once: true });
    });
    const outcome = await Promise.race([work, stopped]);
    if (outcome !== "stopped") return outcome;
    work.catch(() => {});
    if (abandon.aborted) return undefined;
    // The request in flight ends at once with an error that names it and its
    // side ("destination: timed out after 30s while reading the manifest: ...").
    const named = await settledWithin(work, NAMING_GRACE_MS);
    if (
      named?.verdict.status === "failed" && named.verdict.kind === "timeout"
    ) return named;
    return {
      verdict: {
        status: "failed",
        kind: "timeout",
        reason: `validation did not finish within ${formatDuration(timeoutMs)}`,
      },
    };
  } catch (error) {
    // validateImage turns registry errors into verdicts; anything else is a bug
    // that must still not lose the line.
    return { verdict: internalFailure(error) };
  } finally {
    signal.removeEventListener("abort", onStopped);
    abandon.removeEventListener("abort", onAbandon);
    cancelTimer?.();
  }
}
