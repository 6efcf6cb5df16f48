/**
 * Recognises a registry that refused a TLS connection over the client
 * certificate (mutual TLS). Private helper of the certificate layer.
 *
 * @module
 */
import { classifyNetError, errorText } from "./net_errors.ts";
import { RegistryError } from "../errors.ts";
import { nodeBuiltin } from "../types/node_builtin.ts";

const CLIENT_CERT_ALERT =
  /received fatal alert: (?:BadCertificate|CertificateRequired|UnknownCA|CertificateUnknown|CertificateExpired|CertificateRevoked|UnsupportedCertificate)\b|alert (?:bad certificate|certificate required|unknown ca|certificate unknown|certificate expired|certificate revoked|unsupported certificate)\b/i;

/** Options of {@linkcode clientCertificateError}. */
export interface ClientCertificateErrorOptions {
  /**
   * Path of the client certificate that was sent.
   * @default {undefined: none was sent}
   */
  certFile?: string;
  /**
   * Where a client certificate for this registry would be found, named in
   * the advice when none was sent.
   * @default {undefined: no advice}
   */
  certDir?: string;
  /**
   * Opens one TLS connection the way the failed request did, sends
   * `HEAD /v2/` and gives the error text, or undefined when an answer came.
   * Used when the failure was only a closed connection: under TLS 1.3 the
   * registry's alert often loses the race with the request being written.
   * @default {no second look}
   */
  handshake?: (url: URL) => Promise<string | undefined>;
}

/**
 * Recognises a registry that refused the connection because of the client
 * certificate (an alert it sent about it) and says so: it requires one when
 * none was sent, it rejected `certFile` otherwise. Any other error gives
 * undefined.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientCertificateError } from "./_client_cert_errors.ts";
 * const err = await clientCertificateError(
 *   new TypeError("fetch failed", { cause: new Error("received fatal alert: BadCertificate") }),
 *   new Request("https://reg.io/v2/"),
 *   { certDir: "/certs" },
 * );
 * assert(err?.kind === "tls");
 * assert(
 *   err?.message ===
 *     'TLS connection to "reg.io" failed: the registry requires a client certificate (received fatal alert: BadCertificate); put one in "/certs" as NAME.cert with its NAME.key',
 * );
 * ```
 */
export async function clientCertificateError(
  error: unknown,
  request: Request,
  options: ClientCertificateErrorOptions = {},
): Promise<RegistryError | undefined> {
  if (error instanceof RegistryError) return undefined;
  const url = new URL(request.url);
  let alert = CLIENT_CERT_ALERT.exec(errorText(error))?.[0];
  if (
    alert === undefined && options.handshake !== undefined &&
    url.protocol === "https:" && classifyNetError(error) === "reset"
  ) {
    const seen = await options.handshake(url).catch(() => undefined);
    alert = CLIENT_CERT_ALERT.exec(seen ?? "")?.[0];
  }
  if (alert === undefined) return undefined;
  const { certFile, certDir } = options;
  const problem = certFile !== undefined
    ? `the registry rejected the client certificate "${certFile}" (${alert})`
    : `the registry requires a client certificate (${alert})${
      certDir === undefined
        ? `; put NAME.cert and NAME.key in "/etc/containers/certs.d/${url.host}" or pass --cert-dir`
        : `; put one in "${certDir}" as NAME.cert with its NAME.key`
    }`;
  return new RegistryError(
    "tls",
    `TLS connection to "${url.host}" failed: ${problem}`,
    { method: request.method, url: request.url, cause: error },
  );
}

/** Options of {@linkcode tlsHandshake}. */
export interface TlsHandshakeOptions {
  /**
   * CA certificates to trust instead of the default ones.
   * @default {the default CAs}
   */
  caCerts?: string[];
  /**
   * Client certificate chain and key (PEM).
   * @default {none}
   */
  cert?: string;
  /** @default {none} */
  key?: string;
  /**
   * Verify the server certificate.
   * @default {true}
   */
  tlsVerify?: boolean;
  /**
   * Give up after this many ms (no error text then).
   * @default {5000}
   */
  timeoutMs?: number;
}

/**
 * A {@linkcode ClientCertificateErrorOptions.handshake} over `node:tls`
 * (loaded on the first handshake, not with this module).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tlsHandshake } from "./_client_cert_errors.ts";
 * const text = await tlsHandshake({ timeoutMs: 2000 })(new URL("https://127.0.0.1:1/v2/"));
 * assert(typeof text === "string" && /refused/i.test(text));
 * ```
 */
export function tlsHandshake(
  options: TlsHandshakeOptions = {},
): (url: URL) => Promise<string | undefined> {
  return async (url) => {
    const { connect } = nodeBuiltin("node:tls");
    return await new Promise((resolve) => {
      const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
      const isIp = /^[\d.]+$/.test(host) || host.includes(":");
      const socket = connect({
        host,
        port: Number(url.port || 443),
        ...(isIp ? {} : { servername: host }),
        rejectUnauthorized: options.tlsVerify ?? true,
        ...(options.caCerts?.length ? { ca: options.caCerts } : {}),
        ...(options.cert !== undefined && options.key !== undefined
          ? { cert: options.cert, key: options.key }
          : {}),
      }, () => {
        socket.write(
          `HEAD /v2/ HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`,
        );
      });
      const timer = setTimeout(
        () => done(undefined),
        options.timeoutMs ?? 5000,
      );
      function done(text: string | undefined) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
      socket.once("data", () => done(undefined));
      socket.once("end", () => done(undefined));
      socket.once("error", (error) => done(errorText(error)));
    });
  };
}
