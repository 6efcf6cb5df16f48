import assert from "node:assert/strict";
import {
  DEFAULT_CERT_DIRS,
  findCertificates,
  type FindCertificatesOptions,
} from "../lib/transport/certs.ts";
import { createRegistryFetch } from "../lib/transport/registry_fetch.ts";
import { RegistryError } from "../lib/errors.ts";
import { isSelfSignedServerCertificate } from "../lib/transport/_certificate_fetch.ts";
import {
  makeSelfSignedCertificate,
  makeTestCertificates,
} from "./support/_certificates.ts";

const PEM_START = "-----BEGIN CERTIFICATE-----";
const PEM_END = "-----END CERTIFICATE-----";
const pem = (name: string) => `${PEM_START}\n${name}\n${PEM_END}\n`;

/** File access over an in-memory tree of `path -> content`. */
function files(tree: Record<string, string>): FindCertificatesOptions {
  return {
    readDir: (dir) => {
      const names = Object.keys(tree).filter((path) =>
        path.startsWith(`${dir}/`) && !path.slice(dir.length + 1).includes("/")
      ).map((path) => path.slice(dir.length + 1));
      if (names.length === 0) {
        return Promise.reject(new Deno.errors.NotFound(dir));
      }
      return Promise.resolve(names);
    },
    readTextFile: (path) => {
      const content = tree[path];
      if (content === undefined) {
        return Promise.reject(new Deno.errors.PermissionDenied(path));
      }
      return Promise.resolve(content);
    },
  };
}

Deno.test("findCertificates() looks in /etc/containers/certs.d then /etc/docker/certs.d by HOST:PORT", async () => {
  assert.deepEqual(DEFAULT_CERT_DIRS, [
    "/etc/containers/certs.d",
    "/etc/docker/certs.d",
  ]);
  const tree = files({
    "/etc/containers/certs.d/reg.io:5000/b.crt": pem("CA-B"),
    "/etc/containers/certs.d/reg.io:5000/a.crt": pem("CA-A"),
    "/etc/containers/certs.d/reg.io:5000/client.cert": "CERT-1",
    "/etc/containers/certs.d/reg.io:5000/client.key": "KEY-1",
    "/etc/docker/certs.d/reg.io:5000/docker.crt": pem("CA-D"),
    "/etc/docker/certs.d/reg.io:5000/other.cert": "CERT-2",
    "/etc/docker/certs.d/reg.io:5000/other.key": "KEY-2",
    "/etc/docker/certs.d/reg.io/plain.crt": pem("CA-PLAIN"),
  });
  assert.deepEqual(await findCertificates("reg.io:5000", tree), {
    caCerts: [pem("CA-A"), pem("CA-B"), pem("CA-D")],
    cert: "CERT-1",
    key: "KEY-1",
    certFile: "/etc/containers/certs.d/reg.io:5000/client.cert",
  });
  assert.deepEqual(await findCertificates("reg.io", tree), {
    caCerts: [pem("CA-PLAIN")],
  });
  assert.deepEqual(await findCertificates("other.io", tree), { caCerts: [] });
});

Deno.test("findCertificates() uses only certDir when given, and a missing certDir is an error", async () => {
  const tree = files({
    "/etc/docker/certs.d/reg.io/ca.crt": pem("CA-ETC"),
    "/opt/certs/ca.crt": pem("CA-DIR"),
  });
  assert.deepEqual(
    await findCertificates("reg.io", { ...tree, certDir: "/opt/certs" }),
    { caCerts: [pem("CA-DIR")] },
  );
  await assert.rejects(
    findCertificates("reg.io", { ...tree, certDir: "/opt/none" }),
    { message: 'Cannot read certificate directory "/opt/none": no such file' },
  );
});

Deno.test("findCertificates() names the file of a client certificate without its key and of an unreadable file", async () => {
  await assert.rejects(
    findCertificates("reg.io", {
      dirs: ["/c"],
      ...files({ "/c/reg.io/client.cert": "CERT" }),
    }),
    {
      message:
        'Cannot use client certificate "/c/reg.io/client.cert": missing key "/c/reg.io/client.key"',
    },
  );
  await assert.rejects(
    findCertificates("reg.io", {
      dirs: ["/c"],
      ...files({ "/c/reg.io/client.key": "KEY" }),
    }),
    {
      message:
        'Cannot use client key "/c/reg.io/client.key": missing certificate "/c/reg.io/client.cert"',
    },
  );
  await assert.rejects(
    findCertificates("reg.io", {
      dirs: ["/c"],
      ...files({ "/c/reg.io/ca.crt": "not PEM" }),
    }),
    {
      message:
        'Cannot use CA file "/c/reg.io/ca.crt": no PEM certificate in it',
    },
  );
  const tree = files({ "/c/reg.io/ca.crt": "CA" });
  await assert.rejects(
    findCertificates("reg.io", {
      dirs: ["/c"],
      ...tree,
      readTextFile: () =>
        Promise.reject(new Deno.errors.PermissionDenied("nope")),
    }),
    {
      message:
        'Cannot read certificate file "/c/reg.io/ca.crt": permission denied',
    },
  );
});

Deno.test("findCertificates() reads a real directory and skips subdirectories", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hangar_certs_" });
  try {
    await Deno.mkdir(`${dir}/127.0.0.1:5000/nested.crt`, { recursive: true });
    await Deno.writeTextFile(`${dir}/127.0.0.1:5000/ca.crt`, pem("PEM"));
    await Deno.writeTextFile(`${dir}/127.0.0.1:5000/README`, "ignored");
    assert.deepEqual(
      await findCertificates("127.0.0.1:5000", { dirs: [dir] }),
      { caCerts: [pem("PEM")] },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createRegistryFetch() fails every request with kind tls when the certificates cannot be used", async () => {
  const fetch = createRegistryFetch("reg.io", {
    dirs: ["/c"],
    ...files({ "/c/reg.io/client.cert": "CERT" }),
  });
  try {
    const error = await fetch(new Request("https://reg.io/v2/")).catch((e) =>
      e
    );
    assert.ok(error instanceof RegistryError);
    assert.equal(error.kind, "tls");
    assert.equal(
      error.message,
      'Cannot use client certificate "/c/reg.io/client.cert": missing key "/c/reg.io/client.key"',
    );
    const broken = createRegistryFetch("reg.io", {
      dirs: ["/c"],
      ...files({ "/c/reg.io/ca.crt": `${PEM_START}\nAAAA\n${PEM_END}\n` }),
    });
    const second = await broken(new Request("https://reg.io/v2/")).catch((
      e,
    ) => e);
    broken.close();
    assert.equal(second.kind, "tls");
    assert.match(second.message, /^Cannot use the certificates of "reg\.io": /);
  } finally {
    fetch.close();
  }
});

Deno.test("isSelfSignedServerCertificate() picks a self-signed CA naming hosts, not a root CA, a signed leaf or garbage", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hangar_certs_" });
  try {
    const own = await makeSelfSignedCertificate(dir, { name: "own" });
    const ca = await makeTestCertificates(dir);
    const ownPem = await Deno.readTextFile(own.certFile);
    assert.equal(isSelfSignedServerCertificate(ownPem), true);
    assert.equal(isSelfSignedServerCertificate(`${ca.caPem}${ownPem}`), true);
    assert.equal(isSelfSignedServerCertificate(ca.caPem), false);
    const leaf = await Deno.readTextFile(ca.serverCert);
    assert.equal(isSelfSignedServerCertificate(leaf), false);
    assert.equal(isSelfSignedServerCertificate(pem("AAAA")), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createRegistryFetch() trusts a self-signed server certificate found for the registry and refuses another", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hangar_certs_" });
  await using stack = new AsyncDisposableStack();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  await Deno.mkdir(`${dir}/other`);
  const own = await makeSelfSignedCertificate(dir);
  const other = await makeSelfSignedCertificate(`${dir}/other`);
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(own.certFile),
    key: await Deno.readTextFile(own.keyFile),
    onListen() {},
  }, () => new Response("{}"));
  stack.defer(() => server.shutdown());
  const host = `127.0.0.1:${server.addr.port}`;
  const fetchWith = (certFile: string) => {
    const fetch = createRegistryFetch(host, {
      certDir: dir,
      readDir: () => Promise.resolve(["ca.crt"]),
      readTextFile: () => Deno.readTextFile(certFile),
    });
    stack.defer(() => fetch.close());
    return fetch;
  };
  const response = await fetchWith(own.certFile)(
    new Request(`https://${host}/v2/`),
  );
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "{}");
  const error = await fetchWith(other.certFile)(
    new Request(`https://${host}/v2/`),
  ).catch((e) => e);
  assert.equal(error.code, "DEPTH_ZERO_SELF_SIGNED_CERT");
});
