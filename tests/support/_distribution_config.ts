/**
 * The YAML configuration of a test CNCF distribution registry, and the HTTP
 * probe used to see that it answers.
 *
 * @module
 */

import { request as httpsRequest } from "node:https";

/** What goes into the configuration. */
export interface DistributionConfig {
  port: number;
  storageDir: string;
  /** `clientCas`: require a client certificate signed by one of these CAs. */
  tls?: { certFile: string; keyFile: string; clientCas?: string[] };
  htpasswd?: { file: string };
  token?: {
    realm: string;
    service: string;
    issuer: string;
    rootCertBundle: string;
  };
}

/**
 * Writes the configuration as YAML (strings JSON-quoted, which YAML reads).
 * Access log on (one stdout line per request), upload purging off (another
 * process may serve the same storage), deletes on, no blob cache (so deletes
 * made through another process are seen).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { distributionConfig } from "./_distribution_config.ts";
 * const yaml = distributionConfig({ port: 5000, storageDir: "/tmp/s" });
 * assert(yaml.includes('addr: "127.0.0.1:5000"'));
 * ```
 */
export function distributionConfig(config: DistributionConfig): string {
  const q = (value: string) => JSON.stringify(value);
  const lines = [
    "version: 0.1",
    "log:",
    "  level: info",
    "  formatter: text",
    "  accesslog:",
    "    disabled: false",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${q(config.storageDir)}`,
    "  delete:",
    "    enabled: true",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: ${q(`127.0.0.1:${config.port}`)}`,
    `  secret: ${q(crypto.randomUUID())}`,
  ];
  if (config.tls) {
    lines.push(
      "  tls:",
      `    certificate: ${q(config.tls.certFile)}`,
      `    key: ${q(config.tls.keyFile)}`,
    );
    const clientCas = config.tls.clientCas ?? [];
    if (clientCas.length > 0) {
      lines.push(
        "    clientcas:",
        ...clientCas.map((ca) => `      - ${q(ca)}`),
      );
    }
  }
  if (config.htpasswd && config.token) {
    throw new TypeError(
      "Cannot configure a registry with both htpasswd and token auth",
    );
  }
  if (config.htpasswd) {
    lines.push(
      "auth:",
      "  htpasswd:",
      `    realm: ${q("hangar-test")}`,
      `    path: ${q(config.htpasswd.file)}`,
    );
  }
  if (config.token) {
    const t = config.token;
    lines.push(
      "auth:",
      "  token:",
      `    realm: ${q(t.realm)}`,
      `    service: ${q(t.service)}`,
      `    issuer: ${q(t.issuer)}`,
      `    rootcertbundle: ${q(t.rootCertBundle)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Sends `GET <url><path>` and resolves with the status, or rejects when no
 * HTTP answer came. HTTPS is probed without certificate verification (the
 * probe only checks that the registry answers), presenting the `client`
 * certificate when given.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { probe } from "./_distribution_config.ts";
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("{}"));
 * assert((await probe(`http://127.0.0.1:${server.addr.port}`, "/v2/")) === 200);
 * await server.shutdown();
 * ```
 */
export async function probe(
  url: string,
  path: string,
  options: {
    /**
     * Client certificate and key files for a registry that wants one.
     * @default {none}
     */
    client?: { certFile: string; keyFile: string };
  } = {},
): Promise<number> {
  if (url.startsWith("http://")) {
    const response = await fetch(`${url}${path}`);
    await response.body?.cancel();
    return response.status;
  }
  const { hostname, port } = new URL(url);
  const client = options.client && {
    cert: await Deno.readTextFile(options.client.certFile),
    key: await Deno.readTextFile(options.client.keyFile),
  };
  return await new Promise<number>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: hostname,
        port: Number(port),
        path,
        method: "GET",
        rejectUnauthorized: false,
        agent: false,
        ...client,
      },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}
