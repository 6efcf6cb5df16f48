/**
 * Chooses the base fetch for the certificates found for one registry: Deno's
 * fetch, or `node:https` when one of them is a self-signed server certificate
 * (its own CA), which Deno's rustls refuses as a CA used as an end entity
 * while skopeo, curl and `node:https` accept it. Private helper of certs.ts.
 *
 * @module
 */
import { createNodeFetch } from "./_insecure_fetch.ts";
import {
  type ClosableFetch,
  createFetch,
  type CreateFetchOptions,
  createNoVerifyFetch,
} from "./fetch.ts";
import { nodeBuiltin } from "../types/node_builtin.ts";
import type { HostSniffs } from "./_tls_sniff.ts";

const nodeCrypto = () => nodeBuiltin("node:crypto");

const PEM_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Whether a PEM text holds a certificate made to be a server's own and
 * trusted as it is: self-signed (its signature checks with its own key),
 * `CA:TRUE` (what `openssl req -x509` writes) and naming hosts in a
 * subjectAltName. A plain root CA names no host; one that cannot be parsed
 * counts as no such certificate.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSelfSignedServerCertificate } from "./_certificate_fetch.ts";
 * assert(isSelfSignedServerCertificate("not PEM") === false);
 * ```
 */
export function isSelfSignedServerCertificate(pem: string): boolean {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) return false;
  const { X509Certificate } = nodeCrypto();
  for (const [block] of blocks) {
    try {
      const cert = new X509Certificate(block);
      if (
        cert.ca && cert.subjectAltName !== undefined &&
        cert.subjectAltName !== "" && cert.checkIssued(cert) &&
        cert.verify(cert.publicKey)
      ) return true;
    } catch {
      // Not a certificate this check can read: Deno's fetch will say why.
    }
  }
  return false;
}

/**
 * Options of {@linkcode createCertificateFetch}: those of the base fetch it
 * picks between.
 */
export interface CertificateFetchOptions extends CreateFetchOptions {
  /**
   * Under `tlsVerify: false`, the TLS sniffs to share (some may have been
   * started ahead of the first request).
   * @default {the fetch's own}
   */
  sniffs?: HostSniffs;
}

/**
 * The base fetch for one registry's certificates. With verification on and a
 * {@linkcode isSelfSignedServerCertificate} among `caCerts`, a `node:https`
 * fetch that trusts `caCerts` besides the bundled roots, checks the host name
 * and sends the client certificate; otherwise {@linkcode createFetch}. The
 * choice depends on the files only, never on a failed request.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCertificateFetch } from "./_certificate_fetch.ts";
 * const fetch = createCertificateFetch({ caCerts: [] });
 * assert(typeof fetch === "function");
 * fetch.close();
 * ```
 */
export function createCertificateFetch(
  options: CertificateFetchOptions = {},
): ClosableFetch {
  const { cert, key } = options;
  const caCerts = options.caCerts ?? [];
  const tlsVerify = options.tlsVerify ?? true;
  const client = {
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(options.proxyEnv ? { proxyEnv: options.proxyEnv } : {}),
  };
  if (tlsVerify && caCerts.some(isSelfSignedServerCertificate)) {
    return createNodeFetch({
      rejectUnauthorized: true,
      ca: caCerts,
      ...client,
    });
  }
  if (!tlsVerify) return createNoVerifyFetch(client, options.sniffs);
  return createFetch({
    tlsVerify,
    ...(caCerts.length > 0 ? { caCerts } : {}),
    ...client,
  });
}
