/**
 * The base fetch of one registry: the certificates found for it in certs.d
 * (see certs.ts) trusted and presented, and a certificate problem or a
 * refused client certificate reported as a RegistryError of kind "tls".
 *
 * @module
 */

import { createCertificateFetch } from "./_certificate_fetch.ts";
import { clientCertificateError, tlsHandshake } from "./_client_cert_errors.ts";
import {
  DEFAULT_CERT_DIRS,
  findCertificates,
  type FindCertificatesOptions,
  type RegistryCertificates,
} from "./certs.ts";
import { fileErrorReason, RegistryError } from "../errors.ts";
import type { ClosableFetch } from "./fetch.ts";
import { type ProxyEnv, proxyFor } from "./proxy.ts";
import { processProxyEnv } from "./_deno_client.ts";
import { HostSniffs } from "./_tls_sniff.ts";

/** Options of {@linkcode createRegistryFetch}. */
export interface RegistryFetchOptions extends FindCertificatesOptions {
  /**
   * Verify the server certificate (false: no verification, client
   * certificates still sent).
   * @default {true}
   */
  tlsVerify?: boolean;
  /**
   * Environment the proxy of each request is chosen from: `HTTPS_PROXY`,
   * `HTTP_PROXY`, `NO_PROXY` and their lower-case forms (see proxy.ts).
   * @default {the process's proxy variables}
   */
  proxyEnv?: ProxyEnv;
  /**
   * Debug log: says once, on its first answer, whether the registry is reached directly or
   * through which proxy (never with its credentials).
   * @default {undefined}
   */
  debug?: (line: string) => void;
}

/**
 * The base fetch for one registry: on the first request it looks up the
 * registry's certificates with {@linkcode findCertificates} and builds a fetch
 * that trusts them (on `node:https` when one is a self-signed server
 * certificate, which Deno's fetch refuses). A certificate problem fails every request
 * with a RegistryError of kind "tls" naming the file; so does a registry that
 * refuses the handshake over the client certificate (saying that it requires
 * one, or which file it rejected).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRegistryFetch } from "./registry_fetch.ts";
 * const fetch = createRegistryFetch("reg.io", { dirs: [] });
 * assert(typeof fetch === "function");
 * fetch.close();
 * ```
 */
export function createRegistryFetch(
  registry: string,
  options: RegistryFetchOptions = {},
): ClosableFetch {
  let base: Promise<ClosableFetch> | undefined;
  let certs: RegistryCertificates = { caCerts: [] };
  let closed = false;
  let told = false;
  const proxyEnv = options.proxyEnv ?? processProxyEnv();
  const sniffs = options.tlsVerify === false ? new HostSniffs() : undefined;
  async function load(): Promise<ClosableFetch> {
    try {
      certs = await findCertificates(registry, options);
    } catch (error) {
      throw new RegistryError("tls", fileErrorReason(error), { cause: error });
    }
    try {
      return createCertificateFetch({
        tlsVerify: options.tlsVerify ?? true,
        caCerts: certs.caCerts,
        ...(certs.cert !== undefined ? { cert: certs.cert } : {}),
        ...(certs.key !== undefined ? { key: certs.key } : {}),
        proxyEnv,
        ...(sniffs ? { sniffs } : {}),
      });
    } catch (error) {
      throw new RegistryError(
        "tls",
        `Cannot use the certificates of "${registry}": ${
          fileErrorReason(error)
        }`,
        { cause: error },
      );
    }
  }
  async function registryFetch(request: Request): Promise<Response> {
    if (closed) {
      throw new TypeError(
        `Cannot fetch from "${registry}": the client is closed`,
      );
    }
    const fetch = await (base ??= load());
    try {
      const response = await fetch(request);
      // Said on the first answer, so that it names the route actually used
      // (plain http after a scheme fallback may go through HTTP_PROXY).
      if (!told && options.debug) {
        told = true;
        tellRoute(registry, request.url, proxyEnv, options.debug);
      }
      return response;
    } catch (error) {
      const dirs = options.dirs ?? DEFAULT_CERT_DIRS;
      const certDir = options.certDir ??
        (dirs[0] === undefined ? undefined : `${dirs[0]}/${registry}`);
      const { certFile, caCerts, cert, key } = certs;
      throw await clientCertificateError(error, request, {
        ...(certFile !== undefined ? { certFile } : {}),
        ...(certDir !== undefined ? { certDir } : {}),
        handshake: tlsHandshake({
          caCerts,
          ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
          tlsVerify: options.tlsVerify ?? true,
        }),
      }) ?? error;
    }
  }
  return Object.assign(registryFetch, {
    prepare(url: string): Promise<void> | undefined {
      // Started at once, not after the certificate folders are read: a
      // client certificate found there (the fetch then uses node:https)
      // leaves this sniff unused.
      if (closed || sniffs === undefined) return undefined;
      return sniffs.prepare(url, proxyEnv);
    },
    close(): void {
      closed = true;
      sniffs?.close();
      base?.then((fetch) => fetch.close(), () => {});
    },
  });
}

function tellRoute(
  registry: string,
  url: string,
  env: ProxyEnv,
  debug: (line: string) => void,
): void {
  let route: string;
  try {
    const proxy = proxyFor(url, env);
    route = proxy ? `through proxy "${proxy.url}"` : "directly";
  } catch {
    route = "through a proxy that cannot be used";
  }
  debug(`registry "${registry}" is reached ${route}`);
}
