/**
 * Timeouts for many short-lived requests at the price of few timers: all
 * deadlines of one duration share one timer, since they expire in the order
 * they were set. Used by the transport and registry layers.
 *
 * `AbortSignal.timeout()` cannot be cancelled: every request would leave a
 * timer armed for its whole limit. At the scale we run (100,000 lines, each a
 * few requests with a 15 s limit) that is measurable: 200,000 deadlines take
 * 128 MB RSS with `AbortSignal.timeout()` against 52 MB here
 * (`deno run -A scripts/bench_deadlines.ts`).
 *
 * @module
 */

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The queue's timer: a web timer (`AbortSignal.timeout`), not the global
 * `setTimeout`, which is Deno's Node-compatible one: its first call in a
 * process loads its timer module, about 15 ms of the main thread right
 * before a run's first request. A web timer cannot be stopped, but without
 * a listener it neither runs anything nor keeps the process alive: a queue
 * that empties lets go of its timer and takes it up again when a deadline
 * comes before it expired (it then fires early, and the queue arms a new one
 * for the rest). So a queue leaves about one timer to expire unheard per
 * duration of its deadlines, however many deadlines come and go.
 */
class WebTimer {
  #signal: AbortSignal | undefined;
  #listening = false;
  #run: () => void;

  constructor(run: () => void) {
    this.#run = () => {
      this.#listening = false;
      run();
    };
  }

  /** Runs `run` in `ms` or, with a timer still pending, when that fires. */
  start(ms: number): void {
    if (this.#signal === undefined || this.#signal.aborted) {
      this.#signal = AbortSignal.timeout(ms);
      this.#listening = false;
    }
    if (this.#listening) return;
    this.#listening = true;
    this.#signal.addEventListener("abort", this.#run, { once: true });
  }

  /** Whether `run` runs when the timer fires (started, not yet run or stopped). */
  get pending(): boolean {
    return this.#listening;
  }

  /** Nothing runs until the next `start`; the process may end meanwhile. */
  stop(): void {
    if (!this.#listening) return;
    this.#listening = false;
    this.#signal!.removeEventListener("abort", this.#run);
  }
}

interface Deadline {
  at: number;
  run: () => void;
  done: boolean;
}

/** The deadlines of one duration, oldest first, and the timer of the oldest. */
class DeadlineQueue {
  #entries: Deadline[] = [];
  #head = 0;
  #live = 0;
  #timer = new WebTimer(() => this.#fire());
  #ms: number;

  constructor(ms: number) {
    this.#ms = ms;
  }

  add(run: () => void): () => void {
    const deadline: Deadline = {
      at: performance.now() + this.#ms,
      run,
      done: false,
    };
    this.#entries.push(deadline);
    this.#live++;
    if (!this.#timer.pending) this.#arm(this.#ms);
    return () => this.#cancel(deadline);
  }

  #cancel(deadline: Deadline): void {
    if (deadline.done) return;
    deadline.done = true;
    if (--this.#live === 0) {
      this.#timer.stop();
      this.#entries = [];
      this.#head = 0;
      return;
    }
    this.#skipDone();
  }

  #skipDone(): void {
    while (
      this.#head < this.#entries.length && this.#entries[this.#head]!.done
    ) {
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(ms: number): void {
    // A longer delay would overflow the timer and fire at once: wake up at
    // the limit and arm again for the rest (#fire runs only what is due).
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms)));
    this.#timer.start(delay);
  }

  #fire(): void {
    const now = performance.now();
    this.#skipDone();
    const due: Deadline[] = [];
    while (this.#head < this.#entries.length) {
      const deadline = this.#entries[this.#head]!;
      if (!deadline.done) {
        if (deadline.at > now) break;
        deadline.done = true;
        this.#live--;
        due.push(deadline);
      }
      this.#head++;
    }
    this.#skipDone();
    if (this.#live > 0) {
      this.#arm(this.#entries[this.#head]!.at - now);
    } else {
      this.#entries = [];
      this.#head = 0;
    }
    for (const deadline of due) deadline.run();
  }
}

const queues = new Map<number, DeadlineQueue>();

/**
 * Runs `run` after `ms` milliseconds unless the returned function is called
 * first (like `setTimeout` and `clearTimeout`, but deadlines of the same
 * duration share one timer). No timer is left once every deadline ran or was
 * cancelled. Durations beyond the timer limit (about 24.8 days) are waited
 * out in parts, never cut short.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { startDeadline } from "./deadlines.ts";
 * let ran = false;
 * const cancel = startDeadline(60_000, () => ran = true);
 * cancel();
 * await new Promise<void>((resolve) => startDeadline(1, resolve));
 * assert(!ran);
 * ```
 */
export function startDeadline(ms: number, run: () => void): () => void {
  let queue = queues.get(ms);
  if (queue === undefined) queues.set(ms, queue = new DeadlineQueue(ms));
  return queue.add(run);
}

/**
 * Settles once `promise` settles or `ms` milliseconds have passed, whichever
 * comes first; never rejects (a wait that is only worth a short time).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { settledWithin } from "./deadlines.ts";
 * assert.equal(await settledWithin(Promise.reject(new Error("no")), 60_000), undefined);
 * await settledWithin(new Promise(() => {}), 1); // never settles: the time ends it
 * ```
 */
export function settledWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const cancel = startDeadline(ms, resolve);
    const settled = () => {
      cancel();
      resolve();
    };
    promise.then(settled, settled);
  });
}
