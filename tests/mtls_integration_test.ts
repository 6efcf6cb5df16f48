// End to end against a real distribution registry that wants a client
// certificate (mutual TLS, `http.tls.clientcas`), serving the storage an open
// registry was seeded through. The mTLS registry is the source side; the open
// plain-http registry is the destination. The client certificate comes from
// --cert-dir or from a certs.d directory named HOST:PORT; a missing, foreign
// or unverifiable certificate is one FAILED line that says which.

import assert from "node:assert/strict";
import { runCli } from "./support/cli_run.ts";
import {
  type Distribution,
  distributionsIn,
  makeCertDir,
  makeClientCertificate,
  makeTestCertificates,
} from "./support/distribution.ts";
import { seedImage } from "./support/seed.ts";
import { requireTools } from "./support/tools.ts";

const AT = new Date(2024, 0, 1, 9, 5, 7);

interface World {
  dir: string;
  open: Distribution;
  mtls: Distribution;
  list: string;
}

/** One in-process CLI run with a fixed clock; certs.d is under `dir`. */
function validate(world: World, flags: string[], certsD: string[] = []) {
  return runCli([
    "mirror-validate",
    "-f",
    world.list,
    "--dest-tls-verify=false",
    "-o",
    `${world.dir}/failed-${crypto.randomUUID()}.txt`,
    ...flags,
  ], { now: () => AT, certificates: { dirs: certsD } });
}

Deno.test("mutual TLS against a real registry: --cert-dir, certs.d, missing and foreign client certificates", async (t) => {
  await requireTools("docker-registry", "openssl");
  const dir = await Deno.makeTempDir({ prefix: "hangar_mtls_" });
  await using stack = new AsyncDisposableStack();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  await Deno.mkdir(`${dir}/ca`);
  const ca = await makeTestCertificates(`${dir}/ca`);
  const client = await makeClientCertificate(`${dir}/ca`, ca);
  await Deno.mkdir(`${dir}/other-ca`);
  const otherCa = await makeTestCertificates(`${dir}/other-ca`);
  const foreign = await makeClientCertificate(`${dir}/other-ca`, otherCa);
  const start = distributionsIn(stack, { storageDir: `${dir}/storage` });
  const open = await start({});
  await seedImage(open.url, { repository: "lib/app", tag: "1" }, {
    kind: "index",
    format: "oci",
    platforms: [{ architecture: "amd64", os: "linux" }],
    seed: "mtls",
  });
  const mtls = await start({
    tls: {
      certFile: ca.serverCert,
      keyFile: ca.serverKey,
      clientCas: [ca.caCert],
      client,
    },
  });
  const list = `${dir}/list.txt`;
  await Deno.writeTextFile(
    list,
    `${mtls.host}/lib/app ${open.host}/lib/app 1\n`,
  );
  const world: World = { dir, open, mtls, list };
  const pair = `[${mtls.host}/lib/app:1] => [${open.host}/lib/app:1]`;
  const failedLine = (reason: string) =>
    `09:05:07 [ERRO] [M_ID:1] FAILED ${pair}: ${reason}`;
  const errors = (text: string) => text.match(/^.*\[ERRO\].*$/gm) ?? [];
  const pass =
    `09:05:07 [INFO] [M_ID:1] PASS [${mtls.host}/lib/app:1] == [${open.host}/lib/app:1]`;

  await t.step(
    "--cert-dir with ca.crt, client.cert and client.key passes",
    async () => {
      const path = await makeCertDir(`${dir}/cert-dir`, {
        "ca.crt": ca.caCert,
        "client.cert": client.certFile,
        "client.key": client.keyFile,
      });
      const result = await validate(world, ["--cert-dir", path]);
      assert.equal(result.code, 0, result.text);
      assert.ok(result.stdout.split("\n").includes(pass), result.text);
    },
  );

  await t.step("a certs.d directory named HOST:PORT passes", async () => {
    const certsD = `${dir}/certs.d`;
    await makeCertDir(`${certsD}/${mtls.host}`, {
      "ca.crt": ca.caCert,
      "client.cert": client.certFile,
      "client.key": client.keyFile,
    });
    const result = await validate(world, [], [`${dir}/empty.d`, certsD]);
    assert.equal(result.code, 0, result.text);
    assert.ok(result.stdout.split("\n").includes(pass), result.text);
  });

  await t.step(
    "only the CA: one tls FAILED line saying a client certificate is required",
    async () => {
      const path = await makeCertDir(`${dir}/ca-only`, { "ca.crt": ca.caCert });
      const result = await validate(world, ["--cert-dir", path]);
      assert.equal(result.code, 1);
      assert.deepEqual(errors(result.stderr), [
        failedLine(
          `source: TLS connection to "${mtls.host}" failed: the registry requires a client certificate (received fatal alert: BadCertificate); put one in "${path}" as NAME.cert with its NAME.key`,
        ),
      ]);
      const certsD = `${dir}/certs.d-ca-only`;
      await makeCertDir(`${certsD}/${mtls.host}`, { "ca.crt": ca.caCert });
      const fromCertsD = await validate(world, [], [certsD]);
      assert.deepEqual(errors(fromCertsD.stderr), [
        failedLine(
          `source: TLS connection to "${mtls.host}" failed: the registry requires a client certificate (received fatal alert: BadCertificate); put one in "${certsD}/${mtls.host}" as NAME.cert with its NAME.key`,
        ),
      ]);
    },
  );

  await t.step(
    "without verification a missing client certificate is still named, not hidden by http",
    async () => {
      const result = await validate(world, ["--src-tls-verify=false"]);
      assert.equal(result.code, 1);
      assert.deepEqual(errors(result.stderr), [
        failedLine(
          `source: TLS connection to "${mtls.host}" failed: the registry requires a client certificate (received fatal alert: BadCertificate); put NAME.cert and NAME.key in "/etc/containers/certs.d/${mtls.host}" or pass --cert-dir`,
        ),
      ]);
    },
  );

  await t.step(
    "a client certificate from another CA is named as rejected",
    async () => {
      const path = await makeCertDir(`${dir}/foreign`, {
        "ca.crt": ca.caCert,
        "client.cert": foreign.certFile,
        "client.key": foreign.keyFile,
      });
      const result = await validate(world, ["--cert-dir", path]);
      assert.equal(result.code, 1);
      assert.deepEqual(errors(result.stderr), [
        failedLine(
          `source: TLS connection to "${mtls.host}" failed: the registry rejected the client certificate "${path}/client.cert" (received fatal alert: BadCertificate)`,
        ),
      ]);
    },
  );

  await t.step(
    "an unknown server CA on the source side names --src-tls-verify",
    async () => {
      const result = await validate(world, []);
      assert.equal(result.code, 1);
      assert.deepEqual(errors(result.stderr), [
        failedLine(
          `source: TLS connection to "${mtls.host}" failed: the certificate is signed by an unknown authority (invalid peer certificate: UnknownIssuer); use --src-tls-verify=false or --tls-verify=false to skip verification`,
        ),
      ]);
    },
  );
});
