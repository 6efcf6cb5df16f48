/**
 * The tags of a repository: `GET /v2/<name>/tags/list`, following `Link`
 * pages. Private helper of client.ts.
 *
 * @module
 */

import { redactUrl, RegistryError } from "../errors.ts";
import { MAX_MANIFEST_BYTES } from "../types/manifest.ts";
import { readCapped } from "../transport/http_body.ts";
import type { ClientSend } from "./_blob_head.ts";
import { collectPages, nextPage } from "./_pages.ts";

/** Pages followed before the list is called endless. */
const MAX_PAGES = 1000;

/**
 * Lists every tag of `repository`; a repository that does not exist is a
 * RegistryError of kind `missing`, as for manifests.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { listTags } from "./_tags.ts";
 * const send = <T>(call: { read: (r: Response, url: string) => Promise<T> }) =>
 *   call.read(Response.json({ name: "a", tags: ["1", "2"] }), "https://r.io/v2/a/tags/list");
 * assert.deepEqual(await listTags(send, { repository: "a" }), ["1", "2"]);
 * ```
 */
export async function listTags(
  send: ClientSend,
  options: { repository: string; signal?: AbortSignal },
): Promise<string[]> {
  const { repository, signal } = options;
  const tags = await collectPages<string>(
    `/v2/${repository}/tags/list`,
    (path) =>
      send({
        method: "GET",
        path,
        ...(signal ? { signal } : {}),
        activity: "listing the tags",
        read: async (response, url) => {
          const next = nextPage(response.headers.get("link"), url);
          const body = await readCapped(response, MAX_MANIFEST_BYTES);
          let json: unknown;
          try {
            json = JSON.parse(new TextDecoder().decode(body));
          } catch {
            throw new RegistryError(
              "server",
              `GET "${redactUrl(url)}": the tag list is not JSON`,
              { method: "GET", url },
            );
          }
          const found = (json as { tags?: unknown })?.tags ?? [];
          if (
            !Array.isArray(found) || found.some((t) => typeof t !== "string")
          ) {
            throw new RegistryError(
              "server",
              `GET "${redactUrl(url)}": the tag list has no list of tags`,
              { method: "GET", url },
            );
          }
          return { found: found as string[], next, url };
        },
      }),
    { what: "tag list", maxPages: MAX_PAGES },
  );
  return tags ?? [];
}
