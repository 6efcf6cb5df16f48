/**
 * Remembers hosts that stopped answering: after `threshold` requests in a row
 * got no answer in time, the next requests to that host fail at once instead
 * of each waiting for its own timeout. After `probeAfterMs` one request is let
 * through again; an answer to it clears the host. Used by retry.ts; the registry client keeps one per client.
 *
 * @module
 */
import { RegistryError } from "../errors.ts";
import { formatDuration } from "../types/duration.ts";

/** Options of {@linkcode StalledHosts}. */
export interface StalledHostsOptions {
  /**
   * Timeouts in a row after which a host counts as stopped.
   * @default {3}
   */
  threshold?: number;
  /**
   * Time after which a stopped host gets one request again, in ms.
   * @default {60000}
   */
  probeAfterMs?: number;
  /**
   * Names a host in messages (`Registry "reg.io"`).
   * @default {`Host "<host>"`}
   */
  label?: (host: string) => string;
  /**
   * Clock in ms.
   * @default {performance.now}
   */
  now?: () => number;
}

interface HostState {
  timeouts: number;
  stoppedAt?: number;
  probing: boolean;
  limitMs: number | undefined;
}

/**
 * The timeouts of the hosts of one client, and which of them stopped answering.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { StalledHosts } from "./stalled_hosts.ts";
 * const hosts = new StalledHosts({ threshold: 2 });
 * hosts.timedOut("reg.io", 300);
 * assert(hosts.check("reg.io") === undefined);
 * hosts.timedOut("reg.io", 300);
 * assert.equal(
 *   hosts.check("reg.io")?.message,
 *   'Host "reg.io" stopped answering: 2 requests in a row got no answer within 300ms',
 * );
 * hosts.answered("reg.io");
 * assert(hosts.check("reg.io") === undefined);
 * ```
 */
export class StalledHosts {
  #hosts = new Map<string, HostState>();
  #threshold: number;
  #probeAfterMs: number;
  #label: (host: string) => string;
  #now: () => number;

  constructor(options: StalledHostsOptions = {}) {
    this.#threshold = Math.max(1, options.threshold ?? 3);
    this.#probeAfterMs = options.probeAfterMs ?? 60_000;
    this.#label = options.label ?? ((host) => `Host "${host}"`);
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * The error for a request to `host` when the host stopped answering and no
   * probe is due; undefined when the request may go (a due probe is marked as
   * in flight until {@linkcode answered} or {@linkcode timedOut} or
   * {@linkcode failed}).
   */
  check(host: string): RegistryError | undefined {
    const state = this.#hosts.get(host);
    if (state?.stoppedAt === undefined) return undefined;
    if (!state.probing && this.#now() - state.stoppedAt >= this.#probeAfterMs) {
      state.probing = true;
      return undefined;
    }
    return this.#stopped(host, state);
  }

  /** An answer (any status) came from `host`: it is answering again. */
  answered(host: string): void {
    this.#hosts.delete(host);
  }

  /**
   * A request to `host` got no answer within `limitMs` (undefined: a timeout
   * below, such as the system's connect timeout); returns the error to throw
   * when the host now counts as stopped.
   */
  timedOut(host: string, limitMs?: number): RegistryError | undefined {
    let state = this.#hosts.get(host);
    if (state === undefined) {
      state = { timeouts: 0, probing: false, limitMs };
      this.#hosts.set(host, state);
    }
    state.timeouts++;
    state.limitMs = limitMs;
    state.probing = false;
    if (state.stoppedAt === undefined && state.timeouts < this.#threshold) {
      return undefined;
    }
    state.stoppedAt = this.#now();
    return this.#stopped(host, state);
  }

  /**
   * A request to `host` failed otherwise (refused, reset, aborted by its
   * caller): a probe in flight is over, the next one comes `probeAfterMs` later.
   */
  failed(host: string): void {
    const state = this.#hosts.get(host);
    if (state?.probing) {
      state.probing = false;
      state.stoppedAt = this.#now();
    }
  }

  #stopped(host: string, state: HostState): RegistryError {
    const within = state.limitMs === undefined
      ? "in time"
      : `within ${formatDuration(state.limitMs)}`;
    return new RegistryError(
      "timeout",
      `${
        this.#label(host)
      } stopped answering: ${state.timeouts} requests in a row got no answer ${within}`,
    );
  }
}
