/**
 * Test TLS certificates and htpasswd files, made with `openssl` and
 * `htpasswd` on the fly.
 *
 * @module
 */

import { runTool } from "./tools.ts";

/** Files made by {@linkcode makeTestCertificates}. */
export interface TestCertificates {
  /** Path of the CA certificate (PEM). */
  caCert: string;
  /** Path of the CA private key (PEM). */
  caKey: string;
  /** Path of the server certificate (PEM), signed by the CA. */
  serverCert: string;
  /** Path of the server private key (PEM). */
  serverKey: string;
  /** The CA certificate itself, for `Deno.createHttpClient({ caCerts })`. */
  caPem: string;
}

const EC = [
  "-newkey",
  "ec",
  "-pkeyopt",
  "ec_paramgen_curve:prime256v1",
  "-nodes",
];

/**
 * Makes a test CA and a server certificate it signs, valid for
 * `IP:127.0.0.1` and `DNS:localhost` (Deno's rustls refuses a self-signed
 * leaf). EC P-256 keys keep it fast.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeTestCertificates } from "./_certificates.ts";
 * const dir = await Deno.makeTempDir();
 * const certs = await makeTestCertificates(dir);
 * assert(certs.caPem.startsWith("-----BEGIN CERTIFICATE-----"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function makeTestCertificates(
  dir: string,
): Promise<TestCertificates> {
  const caCert = `${dir}/ca.crt`;
  const caKey = `${dir}/ca.key`;
  // deno-fmt-ignore
  await runTool("openssl", [
    "req", "-x509", ...EC, "-keyout", caKey, "-out", caCert, "-days", "2",
    "-subj", "/CN=hangar test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const server = await signLeaf(`${dir}/server`, { caCert, caKey }, [
    "/CN=127.0.0.1",
    "extendedKeyUsage=serverAuth",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ]);
  return {
    caCert,
    caKey,
    serverCert: server.certFile,
    serverKey: server.keyFile,
    caPem: await Deno.readTextFile(caCert),
  };
}

/** A certificate file and its private key file (PEM). */
export interface CertificateFiles {
  /** Path of the certificate. */
  certFile: string;
  /** Path of the private key. */
  keyFile: string;
}

/**
 * Makes a client certificate (`extendedKeyUsage=clientAuth`) signed by the CA
 * of {@linkcode makeTestCertificates}: `DIR/NAME.cert` and `DIR/NAME.key`,
 * the names containers tools look for in a certs.d directory.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeClientCertificate, makeTestCertificates } from "./_certificates.ts";
 * const dir = await Deno.makeTempDir();
 * const client = await makeClientCertificate(dir, await makeTestCertificates(dir));
 * assert(client.certFile === `${dir}/client.cert`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function makeClientCertificate(
  dir: string,
  ca: Pick<TestCertificates, "caCert" | "caKey">,
  options: {
    /**
     * Base name of the two files.
     * @default {"client"}
     */
    name?: string;
  } = {},
): Promise<CertificateFiles> {
  const base = `${dir}/${options.name ?? "client"}`;
  return await signLeaf(base, ca, [
    "/CN=hangar test client",
    "extendedKeyUsage=clientAuth",
  ], { certExt: ".cert" });
}

/** Writes BASE.key and BASE.crt (or `certExt`), a leaf signed by the CA. */
async function signLeaf(
  base: string,
  ca: Pick<TestCertificates, "caCert" | "caKey">,
  [subject, ...extensions]: string[],
  options: { certExt?: string } = {},
): Promise<CertificateFiles> {
  const keyFile = `${base}.key`;
  const certFile = `${base}${options.certExt ?? ".crt"}`;
  const csr = `${base}.csr`;
  const ext = `${base}.ext`;
  // deno-fmt-ignore
  await runTool("openssl", [
    "req", "-new", ...EC, "-keyout", keyFile, "-out", csr, "-subj", subject!,
  ]);
  await Deno.writeTextFile(
    ext,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      ...extensions,
      "",
    ].join("\n"),
  );
  const serial = `0x${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  // deno-fmt-ignore
  await runTool("openssl", [
    "x509", "-req", "-in", csr, "-CA", ca.caCert, "-CAkey", ca.caKey,
    "-set_serial", serial, "-days", "2", "-extfile", ext, "-out", certFile,
  ]);
  await Deno.remove(csr);
  await Deno.remove(ext);
  return { certFile, keyFile };
}

/**
 * Makes a self-signed server certificate the usual way, its own CA
 * (`openssl req -x509 -newkey rsa:2048 -nodes`, `CA:TRUE`), naming
 * `subjectAltName`: `DIR/NAME.crt` and `DIR/NAME.key`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeSelfSignedCertificate } from "./_certificates.ts";
 * const dir = await Deno.makeTempDir();
 * const made = await makeSelfSignedCertificate(dir);
 * assert(made.certFile === `${dir}/server.crt`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function makeSelfSignedCertificate(
  dir: string,
  options: {
    /** Base name of the two files. @default {"server"} */
    name?: string;
    /** @default {"IP:127.0.0.1,DNS:localhost"} */
    subjectAltName?: string;
  } = {},
): Promise<CertificateFiles> {
  const base = `${dir}/${options.name ?? "server"}`;
  const san = options.subjectAltName ?? "IP:127.0.0.1,DNS:localhost";
  // deno-fmt-ignore
  await runTool("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
    "-subj", "/CN=localhost", "-addext", `subjectAltName=${san}`,
    "-keyout", `${base}.key`, "-out", `${base}.crt`,
  ]);
  return { certFile: `${base}.crt`, keyFile: `${base}.key` };
}

/**
 * Adds a bcrypt entry for `user` to `DIR/htpasswd` (created when missing) and
 * returns the file's path. The password goes through stdin, not argv.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeHtpasswd } from "./_certificates.ts";
 * const dir = await Deno.makeTempDir();
 * const file = await makeHtpasswd(dir, "alice", "s3cret");
 * assert((await Deno.readTextFile(file)).startsWith("alice:$2y$"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function makeHtpasswd(
  dir: string,
  user: string,
  password: string,
): Promise<string> {
  const file = `${dir}/htpasswd`;
  const line = await runTool("htpasswd", ["-nBi", user], {
    stdin: `${password}\n`,
  });
  await Deno.writeTextFile(file, `${line.trim()}\n`, { append: true });
  return file;
}

/**
 * Makes the directory `path` (parents too) holding copies of files, named
 * as given: a `--cert-dir` or a certs.d `HOST:PORT` directory.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeCertDir } from "./_certificates.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/ca.pem`, "pem");
 * await makeCertDir(`${dir}/certs.d/r.test`, { "ca.crt": `${dir}/ca.pem` });
 * assert.equal(await Deno.readTextFile(`${dir}/certs.d/r.test/ca.crt`), "pem");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function makeCertDir(
  path: string,
  files: Record<string, string>,
): Promise<string> {
  await Deno.mkdir(path, { recursive: true });
  for (const [name, from] of Object.entries(files)) {
    await Deno.copyFile(from, `${path}/${name}`);
  }
  return path;
}
