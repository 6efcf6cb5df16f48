import assert from "node:assert/strict";
import { RegistryError } from "../lib/errors.ts";
import type { Fetch } from "../lib/transport/fetch.ts";
import { withSchemeFallback } from "../lib/transport/scheme.ts";

const TLS_HTTP = new TypeError("fetch failed", {
  cause: new Error(
    "error sending request for url (https://reg.io/v2/): client error (Connect): received corrupt message of type InvalidContentType",
  ),
});
const UNKNOWN_ISSUER = new TypeError("fetch failed", {
  cause: new Error(
    "error sending request for url (https://reg.io/v2/): client error (Connect): invalid peer certificate: UnknownIssuer",
  ),
});
const REFUSED = new TypeError("fetch failed", {
  cause: new Error(
    "client error (Connect): tcp connect error: Connection refused (os error 111)",
  ),
});
const DNS = new TypeError("fetch failed", {
  cause: new Error(
    "client error (Connect): dns error: failed to lookup address information: Name or service not known",
  ),
});

/** A fake transport: `https` requests throw `httpsError`, http ones answer 200. */
function fake(httpsError: unknown, seen: string[]): Fetch {
  return async (request) => {
    seen.push(
      `${request.method} ${request.url}${
        request.body ? ` ${await request.text()}` : ""
      }`,
    );
    if (request.url.startsWith("https:") && httpsError !== undefined) {
      throw httpsError;
    }
    return new Response("ok");
  };
}

Deno.test("withSchemeFallback() maps an unknown issuer to kind tls with a --tls-verify=false hint", async () => {
  const seen: string[] = [];
  const fetch = withSchemeFallback(fake(UNKNOWN_ISSUER, seen), {
    insecure: false,
  });
  const error = await fetch(new Request("https://reg.io/v2/")).catch((e) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(error.kind, "tls");
  assert.equal(
    error.message,
    'TLS connection to "reg.io" failed: the certificate is signed by an unknown authority (invalid peer certificate: UnknownIssuer)',
  );
  assert.equal(error.hint, "tls-verify");
  assert.deepEqual(seen, ["GET https://reg.io/v2/"]);
});

Deno.test("withSchemeFallback() maps refused connections and DNS failures to kind network", async () => {
  const refused = await withSchemeFallback(fake(REFUSED, []), {
    insecure: false,
  })(new Request("https://reg.io:5000/v2/"))
    .catch((e) => e);
  assert.equal(refused.kind, "network");
  assert.equal(
    refused.message,
    'Cannot connect to "reg.io:5000": connection refused',
  );
  const dns = await withSchemeFallback(fake(DNS, []), { insecure: false })(
    new Request("https://nope.invalid/v2/"),
  )
    .catch((e) => e);
  assert.equal(dns.kind, "network");
  assert.match(dns.message, /^Cannot resolve "nope\.invalid": /);
});

Deno.test("withSchemeFallback() maps a timeout to kind timeout and passes other aborts through", async () => {
  const timeout = new DOMException(
    "The operation was aborted due to timeout",
    "TimeoutError",
  );
  const error = await withSchemeFallback(fake(timeout, []), { insecure: true })(
    new Request("https://reg.io/v2/a/manifests/1"),
  )
    .catch((e) => e);
  assert.equal(error.kind, "timeout");
  assert.equal(
    error.message,
    'GET "https://reg.io/v2/a/manifests/1": request timed out',
  );
  const abort = new DOMException("aborted", "AbortError");
  const passed = await withSchemeFallback(fake(abort, []), { insecure: true })(
    new Request("https://reg.io/v2/"),
  ).catch((e) => e);
  assert.equal(passed, abort);
});

Deno.test("withSchemeFallback() retries once as http when insecure, keeping the body, then goes to http directly", async () => {
  const seen: string[] = [];
  const fetch = withSchemeFallback(fake(TLS_HTTP, seen), { insecure: true });
  const response = await fetch(
    new Request("https://reg.io:5000/token", { method: "POST", body: "a=1" }),
  );
  assert.equal(response.status, 200);
  assert.equal(response.url, "http://reg.io:5000/token");
  await fetch(new Request("https://reg.io:5000/v2/"));
  await fetch(new Request("https://other.io/v2/")).catch(() => {});
  assert.deepEqual(seen, [
    "POST https://reg.io:5000/token a=1",
    "POST http://reg.io:5000/token a=1",
    "GET http://reg.io:5000/v2/",
    "GET https://other.io/v2/",
    "GET http://other.io/v2/",
  ]);
});

Deno.test("withSchemeFallback() does not fall back without insecure, on DNS failures or on HTTP statuses", async () => {
  const seen: string[] = [];
  await withSchemeFallback(fake(TLS_HTTP, seen), { insecure: false })(
    new Request("https://a.io/v2/"),
  ).catch(() => {});
  await withSchemeFallback(fake(DNS, seen), { insecure: true })(
    new Request("https://b.io/v2/"),
  ).catch(() => {});
  const status = await withSchemeFallback((request) => {
    seen.push(request.url);
    return Promise.resolve(new Response(null, { status: 502 }));
  }, { insecure: true })(new Request("https://c.io/v2/"));
  assert.equal(status.status, 502);
  assert.deepEqual(seen, [
    "GET https://a.io/v2/",
    "GET https://b.io/v2/",
    "https://c.io/v2/",
  ]);
});

Deno.test("withSchemeFallback() reports the https failure when plain http fails too", async () => {
  const fetch = withSchemeFallback(() => Promise.reject(REFUSED), {
    insecure: true,
  });
  const error = await fetch(new Request("https://reg.io/v2/")).catch((e) => e);
  assert.equal(error.kind, "network");
  assert.equal(
    error.message,
    'Cannot connect to "reg.io": connection refused; plain http failed too',
  );
});

Deno.test("withSchemeFallback() lets one request find the scheme while concurrent ones wait", async () => {
  const seen: string[] = [];
  const fetch = withSchemeFallback((request) => {
    seen.push(request.url.split(":")[0]!);
    if (request.url.startsWith("https:")) {
      return Promise.reject(
        new TypeError("received corrupt message of type InvalidContentType"),
      );
    }
    return Promise.resolve(new Response("ok"));
  }, { insecure: true });
  const responses = await Promise.all(
    Array.from(
      { length: 5 },
      (_, i) => fetch(new Request(`https://reg.io/v2/${i}`)),
    ),
  );
  await Promise.all(responses.map((r) => r.body?.cancel()));
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200]);
  assert.deepEqual(seen, ["https", "http", "http", "http", "http", "http"]);
});

Deno.test("withSchemeFallback() routes https URLs of hosts known to speak http to http, others unchanged", async () => {
  const fetch = withSchemeFallback(fake(TLS_HTTP, []), { insecure: true });
  const url = "https://reg.io:5000/v2/a/manifests/1?x=1";
  assert.equal(fetch.route(url), url);
  await fetch(new Request("https://reg.io:5000/v2/"));
  assert.equal(fetch.route(url), "http://reg.io:5000/v2/a/manifests/1?x=1");
  assert.equal(
    fetch.route("https://u:p@reg.io:5000/v2/"),
    "http://u:p@reg.io:5000/v2/",
  );
  assert.equal(fetch.route("https://reg.io/v2/"), "https://reg.io/v2/");
  assert.equal(fetch.route("http://other.io/v2/"), "http://other.io/v2/");
  const secure = withSchemeFallback(fake(TLS_HTTP, []), { insecure: false });
  await secure(new Request("https://reg.io:5000/v2/")).catch(() => {});
  assert.equal(secure.route(url), url);
});

Deno.test("withSchemeFallback() keeps a diagnosed TLS error instead of trying http", async () => {
  const seen: string[] = [];
  const diagnosed = new RegistryError(
    "tls",
    'TLS connection to "reg.io" failed: the registry requires a client certificate',
  );
  const fetch = withSchemeFallback((request) => {
    seen.push(request.url);
    return Promise.reject(diagnosed);
  }, { insecure: true });
  await assert.rejects(
    fetch(new Request("https://reg.io/v2/")),
    (error) => error === diagnosed,
  );
  assert.deepEqual(seen, ["https://reg.io/v2/"]);
});
