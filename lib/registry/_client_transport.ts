/**
 * How a registry client sends its requests: the transport stack on its base
 * fetch, each request a {@linkcode ClientCall} below the registry's base URL
 * with the client's user agent, per-request timeout and retries of reads;
 * and, for the first repository the client hears of, what the base fetch
 * can send ahead. Private helper of client.ts.
 *
 * @module
 */
import {
  type ClosableFetch,
  createFetch,
  type Fetch,
} from "../transport/fetch.ts";
import { settledWithin } from "../transport/deadlines.ts";
import {
  retryDelay,
  type RetryPolicyOptions,
} from "../transport/retry_policy.ts";
import { registryEndpoint } from "../types/reference.ts";
import type { RegistryClientOptions } from "./_client_options.ts";
import type { ClientCall } from "./_blob_head.ts";
import { type RequestSpec, sendRequest } from "./_request.ts";
import { buildStack } from "./_transport_stack.ts";

/**
 * How long the first request waits for what was sent ahead to be on its way:
 * about the first-run code it overlaps. A slower connect overlaps that code
 * as before, and a host that never answers costs no more than this.
 */
const READY_WAIT_MS = 20;

/**
 * The sending side of one `RegistryClient`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientTransport } from "./_client_transport.ts";
 * const seen: string[] = [];
 * const transport = new ClientTransport("reg.io", {
 *   fetch: (request) => {
 *     seen.push(`${request.method} ${request.url} ${request.headers.get("user-agent")}`);
 *     return Promise.resolve(new Response("ok"));
 *   },
 *   userAgent: "test/1",
 * });
 * const text = await transport.send({
 *   method: "GET",
 *   path: "/v2/",
 *   read: (response) => response.text(),
 * });
 * assert.equal(text, "ok");
 * assert.deepEqual(seen, ["GET https://reg.io/v2/ test/1"]);
 * ```
 */
export class ClientTransport {
  #base: string;
  #fetch: Fetch & { prefetch(repositories: Iterable<string>): void };
  #route: (url: string) => string;
  #closable: ClosableFetch | undefined;
  #timeoutMs: number;
  #userAgent: string;
  #retry: RetryPolicyOptions & {
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  };
  #debug: ((line: string) => void) | undefined;
  #prepare: ((url: string) => Promise<void> | void) | undefined;
  /** What the base fetch sent ahead, on its way (awaited by the first request). */
  #ready: Promise<void> | undefined;

  /** The transport of a client for `registry` (`host[:port]`). */
  constructor(registry: string, options: RegistryClientOptions) {
    this.#base = `https://${registryEndpoint(registry)}`;
    const tlsVerify = options.tlsVerify ?? true;
    this.#timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#userAgent = options.userAgent ?? "hangar-mirror-validate/0.1.0";
    this.#retry = options.retry ?? {};
    this.#debug = options.debug;
    let base = options.fetch;
    if (base === undefined) base = this.#closable = createFetch({ tlsVerify });
    const stack = buildStack(base, registry, { ...options, tlsVerify });
    this.#fetch = stack;
    this.#route = stack.route;
    this.#prepare = (base as Partial<ClosableFetch>).prepare?.bind(base);
  }

  /**
   * Notes repositories the client will read soon. The first note also lets
   * the base fetch learn ahead what the first request will need (the
   * ClientHello of `--tls-verify=false`).
   */
  prefetch(repositories: Iterable<string>): void {
    const sent: unknown = this.#prepare?.(`${this.#base}/v2/`);
    this.#prepare = undefined;
    if (sent instanceof Promise) {
      this.#ready = settledWithin(sent, READY_WAIT_MS);
    }
    this.#fetch.prefetch(repositories);
  }

  /** Sends `call` and reads its answer. */
  send<T>(call: ClientCall<T>): Promise<T> {
    const spec: RequestSpec = {
      method: call.method,
      url: `${this.#base}${call.path}`,
      headers: { ...call.headers, "User-Agent": this.#userAgent },
      timeoutMs: this.#timeoutMs,
      route: this.#route,
      ...(call.activity ? { activity: call.activity } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
      ...(call.acceptStatus ? { acceptStatus: call.acceptStatus } : {}),
      retryRead: (attempt, error) =>
        retryDelay(attempt, { error }, this.#retry),
      ...(this.#retry.sleep ? { sleep: this.#retry.sleep } : {}),
      ...(this.#debug ? { debug: this.#debug } : {}),
    };
    const fetch = call.wrap?.(this.#fetch) ?? this.#fetch;
    // The first request lets the event loop write what prepare() started
    // (a ClientHello waits for its connect) before building itself: a first
    // request runs much code for the first time, which then overlaps the
    // answer's round trip instead of holding back the write.
    const ready = this.#ready;
    if (ready === undefined) return sendRequest(fetch, spec, call.read);
    this.#ready = undefined;
    return ready.then(() => sendRequest(fetch, spec, call.read));
  }

  /** Releases the base fetch this transport created (not one passed in). */
  close(): void {
    this.#closable?.close();
  }
}
