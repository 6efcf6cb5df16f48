/**
 * Tells a server that is not a registry (a web server on the wrong port, a
 * proxy's HTML page) from a registry that lacks one image: asked after a
 * manifest answered 404 or with an HTML page, `GET /v2/` of a registry never
 * answers 404 and never with HTML that lacks `Docker-Distribution-API-Version`.
 * Private helper of client.ts.
 *
 * @module
 */
import { redactUrl, RegistryError } from "../errors.ts";
import { readErrorText } from "../transport/http_body.ts";
import { isHtmlAnswer, mediaTypeOf } from "./_manifest_reads.ts";
import { abortable } from "../transport/abortable.ts";

/** Sends `GET /v2/` and hands the answer (2xx, or a status `acceptStatus` takes) to `read`. */
export type BaseRequest = (
  read: (response: Response, url: string) => Promise<RegistryError | undefined>,
  acceptStatus: (status: number) => boolean,
) => Promise<RegistryError | undefined>;

/**
 * Asks `GET /v2/` through `get` and returns a "not-a-registry" RegistryError
 * naming the host when the answer shows no registry (a 404 without a
 * registry's error body, or an HTML page without
 * `Docker-Distribution-API-Version`); undefined for a registry or an answer
 * that tells nothing (401, 5xx). Errors of the request itself are thrown.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { notRegistry } from "./_not_registry.ts";
 * const web = await notRegistry(
 *   (read) => read(new Response("404 page not found", { status: 404 }), "http://web.io/v2/"),
 * );
 * assert.equal(web?.kind, "not-a-registry");
 * assert.equal(
 *   web?.message,
 *   'Server at "web.io" is not a registry: GET "http://web.io/v2/" answered with status 404',
 * );
 * const registry = await notRegistry((read) =>
 *   read(Response.json({}, { headers: { "Docker-Distribution-API-Version": "registry/2.0" } }), "http://r.io/v2/")
 * );
 * assert.equal(registry, undefined);
 * ```
 */
export async function notRegistry(
  get: BaseRequest,
): Promise<RegistryError | undefined> {
  return await get(async (response, url) => {
    const answer = await describe(response);
    if (answer === undefined) return undefined;
    const host = new URL(url).host;
    return new RegistryError(
      "not-a-registry",
      `Server at "${host}" is not a registry: GET "${
        redactUrl(url)
      }" ${answer}`,
      { status: response.status, method: "GET", url },
    );
  }, (status) => status === 404);
}

/**
 * The `GET /v2/` check of one client, asked once (again only after a network
 * failure or a timeout), shared by every image that needs it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryCheck } from "./_not_registry.ts";
 * import { RegistryError } from "../errors.ts";
 * let asked = 0;
 * const check = new RegistryCheck((read) => {
 *   asked++;
 *   return read(new Response("", { status: 404 }), "http://web.io/v2/");
 * });
 * const missing = new RegistryError("missing", "manifest unknown", { status: 404 });
 * for (let i = 0; i < 2; i++) {
 *   const error = await check.rethrow(missing).catch((e) => e);
 *   assert.equal(error.kind, "not-a-registry");
 * }
 * assert.equal(asked, 1);
 * ```
 */
export class RegistryCheck {
  #get: BaseRequest;
  #probe: Promise<RegistryError | undefined> | undefined;

  constructor(get: BaseRequest) {
    this.#get = get;
  }

  /**
   * Rethrows a manifest request's error, or the "not-a-registry" error when
   * it was a 404 or an HTML page and `GET /v2/` shows the server is no
   * registry. `signal` stops the wait, not the shared check.
   */
  async rethrow(error: unknown, signal?: AbortSignal): Promise<never> {
    if (
      !(error instanceof RegistryError) ||
      (error.kind !== "missing" && !isHtmlAnswer(error))
    ) throw error;
    const probe = this.#probe ??= notRegistry(this.#get).catch((failure) => {
      // a check that could not be asked is asked again by the next image
      if (
        !(failure instanceof RegistryError) ||
        failure.kind === "network" || failure.kind === "timeout"
      ) this.#probe = undefined;
      return undefined;
    });
    const found = signal === undefined
      ? await probe
      : await abortable(probe, signal).catch(() => undefined);
    throw found ?? error;
  }
}

/** How the answer shows a server that is not a registry; undefined when it does not. */
async function describe(response: Response): Promise<string | undefined> {
  if (response.headers.has("docker-distribution-api-version")) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.status === 404) {
    // Reading is bounded by the caller's deadline on the request.
    const text = await readErrorText(response, 0);
    return /^\s*\{[\s\S]*"errors"\s*:/.test(text)
      ? undefined
      : "answered with status 404";
  }
  await response.body?.cancel();
  return mediaTypeOf(response) === "text/html"
    ? "answered with an HTML page"
    : undefined;
}
