// End to end against real distribution registries served over TLS with a
// self-signed certificate made the usual way (`openssl req -x509`, its own
// CA), which Deno's fetch refuses as a CA used as an end entity. The image is
// mirrored there by skopeo trusting the same file; the CLI must accept it from
// --cert-dir or certs.d as skopeo and curl do, and still refuse a certificate
// that is not trusted or does not name the host, with one tls FAILED line.

import assert from "node:assert/strict";
import { createClientFactory } from "../lib/registry/clients.ts";
import { RegistryError } from "../lib/errors.ts";
import { runCli } from "./support/cli_run.ts";
import {
  distributionsIn,
  makeCertDir,
  makeClientCertificate,
  makeSelfSignedCertificate,
  makeTestCertificates,
} from "./support/distribution.ts";
import { seedImage } from "./support/seed.ts";
import { requireTools, runTool } from "./support/tools.ts";

const AT = new Date(2024, 0, 1, 9, 5, 7);

/** One in-process CLI run with a fixed clock; certs.d is `certsD`. */
function validate(list: string, flags: string[], certsD: string[] = []) {
  return runCli([
    "mirror-validate",
    "-f",
    list,
    "--src-tls-verify=false",
    "-o",
    `${list}.failed-${crypto.randomUUID()}.txt`,
    ...flags,
  ], { now: () => AT, certificates: { dirs: certsD } });
}

const errors = (text: string) => text.match(/^.*\[ERRO\].*$/gm) ?? [];

Deno.test("a self-signed registry certificate in --cert-dir or certs.d is trusted against a real registry, with verification still on", async (t) => {
  await requireTools("docker-registry", "openssl", "skopeo", "curl");
  const dir = await Deno.makeTempDir({ prefix: "hangar_self_signed_" });
  await using stack = new AsyncDisposableStack();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  for (const sub of ["server", "stranger", "misnamed", "ca"]) {
    await Deno.mkdir(`${dir}/${sub}`);
  }
  const server = await makeSelfSignedCertificate(`${dir}/server`);
  const stranger = await makeSelfSignedCertificate(`${dir}/stranger`);
  const misnamed = await makeSelfSignedCertificate(`${dir}/misnamed`, {
    subjectAltName: "DNS:registry.example",
  });
  const clientCa = await makeTestCertificates(`${dir}/ca`);
  const client = await makeClientCertificate(`${dir}/ca`, clientCa);
  const start = distributionsIn(stack);
  const open = await start({});
  await seedImage(open.url, { repository: "lib/app", tag: "1" }, {
    kind: "index",
    format: "oci",
    platforms: [{ architecture: "amd64", os: "linux" }],
    seed: "self-signed",
  });
  const storageDir = `${dir}/mirror-storage`;
  const tls = await start({ storageDir, tls: server });
  const trusted = await makeCertDir(`${dir}/trusted`, {
    "ca.crt": server.certFile,
  });
  // deno-fmt-ignore
  await runTool("skopeo", [
    "copy", "--insecure-policy", "--retry-times", "0", "--all",
    "--preserve-digests", "--src-tls-verify=false", "--dest-cert-dir", trusted,
    `docker://${open.host}/lib/app:1`, `docker://${tls.host}/mirror/app:1`,
  ]);
  const lists = new Map<string, string>();
  const listFor = async (host: string) => {
    const list = `${dir}/list-${lists.size}.txt`;
    await Deno.writeTextFile(
      list,
      `${open.host}/lib/app ${host}/mirror/app 1\n`,
    );
    lists.set(host, list);
    return list;
  };
  const list = await listFor(tls.host);
  const pass = (host: string) =>
    `09:05:07 [INFO] [M_ID:1] PASS [${open.host}/lib/app:1] == [${host}/mirror/app:1]`;
  const failedLine = (host: string, reason: string) =>
    `09:05:07 [ERRO] [M_ID:1] FAILED [${open.host}/lib/app:1] => [${host}/mirror/app:1]: destination: TLS connection to "${host}" failed: ${reason}`;
  const skip =
    "; use --dest-tls-verify=false or --tls-verify=false to skip verification";

  await t.step("curl accepts the certificate as its CA", async () => {
    // deno-fmt-ignore
    const status = await runTool("curl", [
      "-sS", "--cacert", server.certFile, "-o", "/dev/null", "-w", "%{http_code}",
      `${tls.url}/v2/`,
    ]);
    assert.equal(status, "200");
  });

  await t.step("--cert-dir holding it as ca.crt passes", async () => {
    const result = await validate(list, ["--cert-dir", trusted]);
    assert.equal(result.code, 0, result.text);
    assert.ok(result.stdout.split("\n").includes(pass(tls.host)), result.text);
  });

  await t.step("certs.d/HOST:PORT/ca.crt passes", async () => {
    const certsD = `${dir}/certs.d`;
    await makeCertDir(`${certsD}/${tls.host}`, { "ca.crt": server.certFile });
    const result = await validate(list, [], [`${dir}/empty.d`, certsD]);
    assert.equal(result.code, 0, result.text);
    assert.ok(result.stdout.split("\n").includes(pass(tls.host)), result.text);
  });

  await t.step(
    "a client certificate is still sent to a registry that wants one",
    async () => {
      const mtls = await start({
        storageDir,
        tls: { ...server, clientCas: [clientCa.caCert], client },
      });
      const mtlsList = await listFor(mtls.host);
      const withClient = await makeCertDir(`${dir}/with-client`, {
        "ca.crt": server.certFile,
        "client.cert": client.certFile,
        "client.key": client.keyFile,
      });
      const passed = await validate(mtlsList, ["--cert-dir", withClient]);
      assert.equal(passed.code, 0, passed.text);
      assert.ok(passed.stdout.split("\n").includes(pass(mtls.host)));
      const failed = await validate(mtlsList, ["--cert-dir", trusted]);
      assert.equal(failed.code, 1);
      assert.deepEqual(errors(failed.stderr), [
        failedLine(
          mtls.host,
          `the registry requires a client certificate (received fatal alert: BadCertificate); put one in "${trusted}" as NAME.cert with its NAME.key`,
        ),
      ]);
    },
  );

  await t.step(
    "another self-signed certificate, or none, is one tls FAILED line",
    async () => {
      const other = await makeCertDir(`${dir}/other`, {
        "ca.crt": stranger.certFile,
      });
      const result = await validate(list, ["--cert-dir", other]);
      assert.equal(result.code, 1);
      assert.deepEqual(errors(result.stderr), [
        failedLine(
          tls.host,
          `the certificate is signed by an unknown authority (self-signed certificate)${skip}`,
        ),
      ]);
      const none = await validate(list, []);
      assert.equal(none.code, 1);
      assert.deepEqual(errors(none.stderr), [
        failedLine(
          tls.host,
          `the certificate is self-signed (its own CA) and not trusted: put it in --cert-dir or certs.d/HOST as ca.crt, with a subjectAltName naming the host (invalid peer certificate: Other(OtherError(CaUsedAsEndEntity)))${skip}`,
        ),
      ]);
      const clients = createClientFactory({ certDir: other, retry: {} });
      try {
        const error = await clients(tls.host, "destination")
          .resolveManifest("mirror/app", "1")
          .catch((e: unknown) => e);
        assert.ok(error instanceof RegistryError);
        assert.equal(error.kind, "tls");
      } finally {
        clients.close();
      }
    },
  );

  await t.step("the host name is still checked", async () => {
    const wrong = await start({ storageDir, tls: misnamed });
    const path = await makeCertDir(`${dir}/misnamed-dir`, {
      "ca.crt": misnamed.certFile,
    });
    const result = await validate(await listFor(wrong.host), [
      "--cert-dir",
      path,
    ]);
    assert.equal(result.code, 1);
    assert.deepEqual(errors(result.stderr), [
      failedLine(
        wrong.host,
        `the certificate does not match the host name (Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: )${skip}`,
      ),
    ]);
  });
});
