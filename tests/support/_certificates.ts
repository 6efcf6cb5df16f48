/**
 * Test TLS certificates and htpasswd files, made with `openssl` and
 * `htpasswd` on the fly.
 *
 * @module
 */

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

const INSTALL_HINT =
  "install it with apt-get install -y docker-registry skopeo apache2-utils";

/**
 * Runs a tool and returns its stdout; the error names the command and its
 * stderr (never the stdin, which may carry a password).
 *
 * @example Usage
 * ```ts
 * import { runTool } from "./_certificates.ts";
 * const out = await runTool("openssl", ["version"]);
 * console.assert(out.startsWith("OpenSSL"));
 * ```
 */
export async function runTool(
  command: string,
  args: string[],
  options: { stdin?: string } = {},
): Promise<string> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command, {
      args,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Missing test tool "${command}": ${INSTALL_HINT}`, {
        cause: error,
      });
    }
    throw error;
  }
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(
      `Command "${command} ${
        args.join(" ")
      }" failed with exit code ${output.code}: ${stderr}`,
    );
  }
  return new TextDecoder().decode(output.stdout);
}

/**
 * Makes a test CA and a server certificate it signs, valid for
 * `IP:127.0.0.1` and `DNS:localhost` (Deno's rustls refuses a self-signed
 * leaf). EC P-256 keys keep it fast.
 *
 * @example Usage
 * ```ts
 * import { makeTestCertificates } from "./_certificates.ts";
 * const dir = await Deno.makeTempDir();
 * const certs = await makeTestCertificates(dir);
 * console.assert(certs.caPem.startsWith("-----BEGIN CERTIFICATE-----"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function makeTestCertificates(
  dir: string,
): Promise<TestCertificates> {
  const caCert = `${dir}/ca.crt`;
  const caKey = `${dir}/ca.key`;
  const serverCert = `${dir}/server.crt`;
  const serverKey = `${dir}/server.key`;
  const csr = `${dir}/server.csr`;
  const ext = `${dir}/server.ext`;
  const ec = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
  ];
  // deno-fmt-ignore
  await runTool("openssl", [
    "req", "-x509", ...ec, "-keyout", caKey, "-out", caCert, "-days", "2",
    "-subj", "/CN=hangar test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await runTool("openssl", [
    "req",
    "-new",
    ...ec,
    "-keyout",
    serverKey,
    "-out",
    csr,
    "-subj",
    "/CN=127.0.0.1",
  ]);
  await Deno.writeTextFile(
    ext,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "",
    ].join("\n"),
  );
  const serial = `0x${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  // deno-fmt-ignore
  await runTool("openssl", [
    "x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", caKey, "-set_serial", serial,
    "-days", "2", "-extfile", ext, "-out", serverCert,
  ]);
  await Deno.remove(csr);
  await Deno.remove(ext);
  return {
    caCert,
    caKey,
    serverCert,
    serverKey,
    caPem: await Deno.readTextFile(caCert),
  };
}

/**
 * Adds a bcrypt entry for `user` to `DIR/htpasswd` (created when missing) and
 * returns the file's path. The password goes through stdin, not argv.
 *
 * @example Usage
 * ```ts
 * import { makeHtpasswd } from "./_certificates.ts";
 * const dir = await Deno.makeTempDir();
 * const file = await makeHtpasswd(dir, "alice", "s3cret");
 * console.assert((await Deno.readTextFile(file)).startsWith("alice:$2y$"));
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
