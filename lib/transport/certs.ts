/**
 * Finds the CA and client certificates of a registry where podman and docker
 * keep them: `/etc/containers/certs.d/HOST[:PORT]/` and
 * `/etc/docker/certs.d/HOST[:PORT]/`, or one `--cert-dir` directory.
 *
 * @module
 */

import { fileErrorReason, isNotFound } from "../errors.ts";

/** The certificates of one registry, as PEM text. */
export interface RegistryCertificates {
  /** Extra CA certificates to trust (`*.crt` files). */
  caCerts: string[];
  /** Client certificate chain (the first `*.cert` file that has a `*.key`). */
  cert?: string;
  /** Private key of {@linkcode RegistryCertificates.cert}. */
  key?: string;
  /** Path of the file {@linkcode RegistryCertificates.cert} came from. */
  certFile?: string;
}

/** Options of {@linkcode findCertificates}. */
export interface FindCertificatesOptions {
  /**
   * Parent directories holding one `HOST[:PORT]` directory per registry.
   * @default {["/etc/containers/certs.d", "/etc/docker/certs.d"]}
   */
  dirs?: string[];
  /**
   * One directory whose files are used for the registry as they are (the
   * `--cert-dir` flag); when set, `dirs` are not searched.
   * @default {undefined}
   */
  certDir?: string;
  /**
   * Lists the file names of a directory; must throw `Deno.errors.NotFound` for
   * a missing one.
   * @default {names from Deno.readDir}
   */
  readDir?: (path: string) => Promise<string[]>;
  /**
   * Reads a file.
   * @default {Deno.readTextFile}
   */
  readTextFile?: (path: string) => Promise<string>;
}

/** Where podman and docker look for per-registry certificates. */
export const DEFAULT_CERT_DIRS: readonly string[] = [
  "/etc/containers/certs.d",
  "/etc/docker/certs.d",
];

/**
 * Collects the certificates for `host` (`HOST` or `HOST:PORT`, as written in
 * image references). In each directory `*.crt` files are CAs and a
 * `NAME.cert` file with its `NAME.key` is a client certificate; every
 * directory found contributes CAs, the first client pair wins. A missing
 * directory under `dirs` is no error (a missing `certDir` is); an unreadable file or a certificate without its key
 * throws an Error naming the file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { findCertificates } from "./certs.ts";
 * const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
 * const files: Record<string, string> = {
 *   "/etc/docker/certs.d/reg.io:5000/ca.crt": ca,
 *   "/etc/docker/certs.d/reg.io:5000/client.cert": "CERT",
 *   "/etc/docker/certs.d/reg.io:5000/client.key": "KEY",
 * };
 * const found = await findCertificates("reg.io:5000", {
 *   readDir: (dir) => {
 *     const names = Object.keys(files).filter((f) => f.startsWith(`${dir}/`))
 *       .map((f) => f.slice(dir.length + 1));
 *     if (names.length === 0) return Promise.reject(new Deno.errors.NotFound(dir));
 *     return Promise.resolve(names);
 *   },
 *   readTextFile: (path) => Promise.resolve(files[path]!),
 * });
 * assert(found.caCerts[0] === ca && found.cert === "CERT" && found.key === "KEY");
 * ```
 */
export async function findCertificates(
  host: string,
  options: FindCertificatesOptions = {},
): Promise<RegistryCertificates> {
  const readDir = options.readDir ?? listDir;
  const readTextFile = options.readTextFile ?? Deno.readTextFile;
  const dirs = options.certDir !== undefined
    ? [options.certDir]
    : (options.dirs ?? DEFAULT_CERT_DIRS).map((dir) => `${dir}/${host}`);
  const found: RegistryCertificates = { caCerts: [] };
  for (const dir of dirs) {
    let names: string[];
    try {
      names = (await readDir(dir)).sort();
    } catch (error) {
      if (isNotFound(error) && options.certDir === undefined) continue;
      throw new Error(
        `Cannot read certificate directory "${dir}": ${fileErrorReason(error)}`,
        { cause: error },
      );
    }
    const read = async (name: string) => {
      try {
        return await readTextFile(`${dir}/${name}`);
      } catch (error) {
        throw new Error(
          `Cannot read certificate file "${dir}/${name}": ${
            fileErrorReason(error)
          }`,
          { cause: error },
        );
      }
    };
    for (const name of names) {
      if (!name.endsWith(".crt")) continue;
      const pem = await read(name);
      if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
        throw new Error(
          `Cannot use CA file "${dir}/${name}": no PEM certificate in it`,
        );
      }
      found.caCerts.push(pem);
    }
    for (const name of names) {
      if (!name.endsWith(".cert")) continue;
      const keyName = pairedFile(dir, names, name);
      if (found.cert !== undefined) continue;
      found.cert = await read(name);
      found.key = await read(keyName);
      found.certFile = `${dir}/${name}`;
    }
    for (const name of names) {
      if (name.endsWith(".key")) pairedFile(dir, names, name);
    }
  }
  return found;
}

// Synchronous: a missing folder (the common case) is then known at once,
// not one turn of the event loop later, which at start-up waits for whatever
// the main thread is busy with; the first request's TLS sniff waits for it.
// deno-lint-ignore require-await
async function listDir(path: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(path)) {
    if (!entry.isDirectory) names.push(entry.name);
  }
  return names;
}

/** The `NAME.key` of `NAME.cert`, or the `NAME.cert` of `NAME.key`; throws when it is missing. */
function pairedFile(dir: string, names: string[], name: string): string {
  const isCert = name.endsWith(".cert");
  const stem = name.slice(0, name.lastIndexOf("."));
  const pair = `${stem}${isCert ? ".key" : ".cert"}`;
  if (!names.includes(pair)) {
    throw new Error(
      isCert
        ? `Cannot use client certificate "${dir}/${name}": missing key "${dir}/${pair}"`
        : `Cannot use client key "${dir}/${name}": missing certificate "${dir}/${pair}"`,
    );
  }
  return pair;
}
