import assert from "node:assert/strict";
import { clientCertificateError } from "../lib/transport/_client_cert_errors.ts";
import { RegistryError } from "../lib/errors.ts";

const request = new Request("https://reg.io:5000/v2/lib/app/manifests/1");
const closed = new TypeError("fetch failed", {
  cause: new Error("stream closed because of a broken pipe"),
});

Deno.test("clientCertificateError() looks again after a closed connection and names the alert", async () => {
  const seen: string[] = [];
  const error = await clientCertificateError(closed, request, {
    certDir: "/etc/containers/certs.d/reg.io:5000",
    handshake: (url) => {
      seen.push(url.href);
      return Promise.resolve("received fatal alert: CertificateRequired");
    },
  });
  assert.deepEqual(seen, ["https://reg.io:5000/v2/lib/app/manifests/1"]);
  assert.ok(error instanceof RegistryError);
  assert.equal(error.kind, "tls");
  assert.equal(
    error.message,
    'TLS connection to "reg.io:5000" failed: the registry requires a client certificate (received fatal alert: CertificateRequired); put one in "/etc/containers/certs.d/reg.io:5000" as NAME.cert with its NAME.key',
  );
  assert.equal(error.cause, closed);
});

Deno.test("clientCertificateError() names the client certificate the registry rejected", async () => {
  const error = await clientCertificateError(
    new Error("received fatal alert: UnknownCA"),
    request,
    { certFile: "/certs/client.cert", certDir: "/certs" },
  );
  assert.equal(
    error?.message,
    'TLS connection to "reg.io:5000" failed: the registry rejected the client certificate "/certs/client.cert" (received fatal alert: UnknownCA)',
  );
});

Deno.test("clientCertificateError() leaves other failures alone and looks again only after a closed https connection", async () => {
  let looks = 0;
  const handshake = () => {
    looks++;
    return Promise.resolve(undefined);
  };
  assert.equal(
    await clientCertificateError(closed, request, { handshake }),
    undefined,
  );
  assert.equal(looks, 1);
  const refused = new TypeError("fetch failed", {
    cause: new Error("tcp connect error: Connection refused"),
  });
  assert.equal(
    await clientCertificateError(refused, request, { handshake }),
    undefined,
  );
  const plain = new Request("http://reg.io:5000/v2/");
  assert.equal(
    await clientCertificateError(closed, plain, { handshake }),
    undefined,
  );
  assert.equal(looks, 1);
  const mapped = new RegistryError(
    "tls",
    "received fatal alert: BadCertificate",
  );
  assert.equal(await clientCertificateError(mapped, request), undefined);
});
