// Registries that half-answer, on real sockets: error and auth answers whose
// bodies stall are read under a deadline; messages name the URL actually used
// (http after the scheme fallback) and a token endpoint by its role.

import { registryWithImage } from "./support/two_registries.ts";
import assert from "node:assert/strict";
import { RegistryError } from "../lib/errors.ts";
import { RegistryClient } from "../lib/registry/client.ts";
import { FaultRegistry, type FaultRule } from "./support/fault_registry.ts";

const MANIFEST = "/v2/lib/app/manifests/1";

/** A FaultRegistry served on 127.0.0.1 in front of `inner`. */
async function serve(
  rules: FaultRule[],
  inner?: (request: Request) => Promise<Response>,
) {
  let handler = inner;
  if (handler === undefined) {
    const registry = await registryWithImage("lib/app", "1");
    handler = registry.handler;
  }
  const faults = new FaultRegistry(handler, rules);
  const server = faults.serve();
  return {
    host: server.host,
    faults,
    async [Symbol.asyncDispose]() {
      faults.close();
      await server.close();
    },
  };
}

/**
 * A client of `host` that falls back to http and retries without waiting;
 * `requestTimeoutMs` limits reading a body, connecting gets 5 s.
 */
function client(host: string, requestTimeoutMs = 5000): RegistryClient {
  return new RegistryClient(host, {
    tlsVerify: false,
    requestTimeoutMs,
    connectTimeoutMs: 5000,
    retry: { sleep: () => Promise.resolve() },
  });
}

async function failure(work: Promise<unknown>): Promise<RegistryError> {
  const error = await work.then(() => undefined, (e) => e);
  assert.ok(error instanceof RegistryError, String(error));
  return error;
}

Deno.test("RegistryClient names the http URL it used after the scheme fallback, in status and read errors", async () => {
  await using registry = await serve([
    { match: /^HEAD /, faults: [{ status: 500 }], repeat: true },
    { match: /^GET .*\/manifests\//, faults: ["stall-body"], repeat: true },
  ]);
  const reg = client(registry.host, 100);
  try {
    const head = await failure(reg.resolveManifest("lib/app", "1"));
    assert.equal(head.kind, "server");
    assert.equal(
      head.message,
      `HEAD "http://${registry.host}${MANIFEST}": response status code 500`,
    );
    const get = await failure(reg.getManifest("lib/app", "1"));
    assert.equal(get.kind, "timeout");
    assert.equal(
      get.message,
      `GET "http://${registry.host}${MANIFEST}": request timed out`,
    );
  } finally {
    reg.close();
  }
});

Deno.test("RegistryClient reads a 401 body under the deadline: a stalled one is a timeout, not a hang", async () => {
  await using registry = await serve([
    { match: /^HEAD /, faults: [{ status: 405 }], repeat: true },
    {
      match: /^GET .*\/manifests\//,
      faults: [{ status: 401, body: '{"errors":[', stall: true }],
      repeat: true,
    },
  ]);
  const reg = client(registry.host, 100);
  try {
    const error = await failure(reg.resolveManifest("lib/app", "1"));
    assert.equal(error.kind, "timeout");
    assert.equal(
      error.message,
      `GET "http://${registry.host}${MANIFEST}": request timed out`,
    );
  } finally {
    reg.close();
  }
});

/** A registry that sends every /v2/ request to the token endpoint `realm`. */
function challenging(realm: () => string) {
  return (request: Request): Promise<Response> => {
    if (new URL(request.url).pathname === "/token") {
      return Promise.resolve(Response.json({ token: "t" }));
    }
    if (request.headers.get("authorization") === "Bearer t") {
      return Promise.resolve(new Response(null, { status: 404 }));
    }
    return Promise.resolve(
      new Response(null, {
        status: 401,
        headers: { "WWW-Authenticate": `Bearer realm="${realm()}"` },
      }),
    );
  };
}

Deno.test("RegistryClient names an unreachable token endpoint by its role", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const authHost = `127.0.0.1:${closed.addr.port}`;
  closed.close();
  await using registry = await serve(
    [],
    challenging(() => `http://${authHost}/token`),
  );
  const reg = client(registry.host);
  try {
    const error = await failure(reg.resolveManifest("lib/app", "1"));
    assert.equal(error.kind, "network");
    assert.equal(
      error.message,
      `The auth service of "${registry.host}" at "${authHost}" is unreachable: cannot connect to "${authHost}": connection refused`,
    );
  } finally {
    reg.close();
  }
});

Deno.test("RegistryClient reads a token answer under the deadline: a stalled one names the auth service", async () => {
  let host = "";
  await using registry = await serve(
    [{ match: "/token", faults: ["stall-body"], repeat: true }],
    challenging(() => `http://${host}/token`),
  );
  host = registry.host;
  const reg = client(registry.host, 100);
  try {
    const error = await failure(reg.resolveManifest("lib/app", "1"));
    assert.equal(error.kind, "timeout");
    assert.equal(
      error.message,
      `The auth service of "${host}" at "${host}" is unreachable: GET "http://${host}/token?scope=repository%3Alib%2Fapp%3Apull": request timed out`,
    );
  } finally {
    reg.close();
  }
});
