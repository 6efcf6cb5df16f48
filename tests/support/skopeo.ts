/**
 * Thin wrappers over the `skopeo` CLI for tests: copy images between
 * registries with digests kept, and read raw manifests.
 *
 * Refs are `docker://HOST/NAME:TAG` (a ref without a transport gets
 * `docker://`). TLS verification is off on both sides, so plain-HTTP test
 * registries work too; the system signature policy is not consulted.
 *
 * @module
 */

import { missingTool } from "./tools.ts";

/** Options of {@linkcode skopeoCopy}. */
export interface SkopeoCopyOptions {
  /**
   * Copy every manifest of an index (`--all`), not only the local platform's.
   * @default true
   */
  all?: boolean;
  /**
   * Keep the manifest bytes (`--preserve-digests`); off lets skopeo convert
   * between formats, as a copy through an OCI layout does.
   * @default true
   */
  preserveDigests?: boolean;
  /**
   * `USER:PASSWORD` for the source registry; never put into error messages.
   * @default undefined
   */
  srcCreds?: string;
  /**
   * `USER:PASSWORD` for the destination registry; never put into error messages.
   * @default undefined
   */
  destCreds?: string;
}

/** Options of {@linkcode skopeoInspectRaw}. */
export interface SkopeoInspectOptions {
  /**
   * `USER:PASSWORD` for the registry; never put into error messages.
   * @default undefined
   */
  creds?: string;
}

/**
 * Copies an image or index with `skopeo copy --all --preserve-digests`, so
 * the destination serves the source's manifest bytes unchanged (see
 * {@linkcode SkopeoCopyOptions} for a converting copy). `oci:DIR:TAG` and
 * `dir:DIR` refs are kept as they are.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { skopeoCopy, skopeoInspectRaw } from "./skopeo.ts";
 * import { OciRegistry, serveHandler } from "./oci_server.ts";
 * import { seedImage } from "./seed.ts";
 * const registry = new OciRegistry();
 * const server = serveHandler(registry.handler);
 * const seeded = await seedImage(server.url, { repository: "src/app", tag: "v1" }, {
 *   kind: "image", format: "oci", platform: { os: "linux", architecture: "amd64" },
 * });
 * await skopeoCopy(`docker://${server.host}/src/app:v1`, `docker://${server.host}/dst/app:v1`);
 * const raw = await skopeoInspectRaw(`docker://${server.host}/dst/app:v1`);
 * assert(new TextDecoder().decode(raw) === new TextDecoder().decode(seeded.body));
 * await server.close();
 * ```
 */
export async function skopeoCopy(
  source: string,
  destination: string,
  options: SkopeoCopyOptions = {},
): Promise<void> {
  const args = ["copy", "--insecure-policy", "--retry-times", "0"];
  if (options.all ?? true) args.push("--all");
  if (options.preserveDigests ?? true) args.push("--preserve-digests");
  args.push("--src-tls-verify=false", "--dest-tls-verify=false");
  const secret: string[] = [];
  if (options.srcCreds !== undefined) {
    secret.push("--src-creds", options.srcCreds);
  }
  if (options.destCreds !== undefined) {
    secret.push("--dest-creds", options.destCreds);
  }
  const refs = [dockerRef(source), dockerRef(destination)];
  await runSkopeo(
    [...args, ...secret, ...refs],
    `skopeo ${[...args, ...refs].join(" ")}`,
  );
}

/**
 * Returns the raw manifest bytes of `ref` (`skopeo inspect --raw`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { skopeoInspectRaw } from "./skopeo.ts";
 * import { OciRegistry, serveHandler } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const body = new TextEncoder().encode('{"schemaVersion":2,"manifests":[]}');
 * await registry.putManifest("a", "v1", body, "application/vnd.oci.image.index.v1+json");
 * const server = serveHandler(registry.handler);
 * const raw = await skopeoInspectRaw(`${server.host}/a:v1`);
 * assert(raw.length === body.length);
 * await server.close();
 * ```
 */
export async function skopeoInspectRaw(
  ref: string,
  options: SkopeoInspectOptions = {},
): Promise<Uint8Array> {
  const args = ["inspect", "--raw", "--retry-times", "0", "--tls-verify=false"];
  const secret = options.creds === undefined ? [] : ["--creds", options.creds];
  return await runSkopeo(
    [...args, ...secret, dockerRef(ref)],
    `skopeo ${[...args, dockerRef(ref)].join(" ")}`,
  );
}

function dockerRef(ref: string): string {
  return /^[a-z0-9-]+:\/\//.test(ref) || ref.startsWith("oci:") ||
      ref.startsWith("dir:")
    ? ref
    : `docker://${ref}`;
}

async function runSkopeo(args: string[], shown: string): Promise<Uint8Array> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("skopeo", {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw missingTool("skopeo", error);
    }
    throw error;
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(
      `Command "${shown}" failed with exit code ${output.code}: ${stderr}`,
    );
  }
  return output.stdout;
}
