/**
 * The world of the proxy integration tests: real distribution registries
 * (plain http, https from a test CA, self-signed https, token auth) serving
 * one seeded image, two tinyproxy instances (one wanting Basic credentials),
 * an in-process CLI run against them, and assertions on what went through
 * the proxy.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runCli } from "./cli_run.ts";
import {
  type Distribution,
  distributionsIn,
  makeCertDir,
  makeSelfSignedCertificate,
  makeTestCertificates,
} from "./distribution.ts";
import { seedImage } from "./seed.ts";
import { startTinyproxy, type Tinyproxy } from "./tinyproxy.ts";
import { startTokenServer, type TokenServer } from "./token_server.ts";
import { requireTools } from "./tools.ts";

/** The registry user of the token service. */
export const USER = "alice";
/** {@linkcode USER}'s password. */
export const PASSWORD = "pw-Secr3t-4f9d1c";
/** The user `authProxy` wants. */
export const PROXY_USER = "proxy-bob";
/** {@linkcode PROXY_USER}'s password. */
export const PROXY_PASSWORD = "px-Pr0xy-8e2a41";
/** A wrong password for {@linkcode PROXY_USER}. */
export const PROXY_WRONG = "px-Wr0ng-13c9f7";
const AT = new Date(2024, 0, 1, 9, 5, 7);

/** The registries and proxies every proxy test runs against. */
export interface World {
  /** The temporary directory (lists, certificates, storage). */
  dir: string;
  /** A `--cert-dir` with the test CA of `tlsA` and `tlsB` as ca.crt. */
  certDir: string;
  /** Plain http, seeded with `lib/app:1`. */
  open: Distribution;
  /** Plain http, the same storage. */
  plain: Distribution;
  /** https with a certificate from the test CA, the same storage. */
  tlsA: Distribution;
  /** Like `tlsA`. */
  tlsB: Distribution;
  /** https with a self-signed certificate, the same storage. */
  selfA: Distribution;
  /** Like `selfA`. */
  selfB: Distribution;
  /** Plain http wanting tokens from `tokenServer`, the same storage. */
  token: Distribution;
  /** Plain http token service knowing {@linkcode USER}. */
  tokenServer: TokenServer;
  /** A proxy without authentication. */
  proxy: Tinyproxy;
  /** A proxy wanting {@linkcode PROXY_USER} / {@linkcode PROXY_PASSWORD}. */
  authProxy: Tinyproxy;
  /** Every output of every run, searched for secrets at the end. */
  captured: string[];
}

/**
 * Starts the {@linkcode World} in a new temporary directory; `stack` stops
 * everything and removes the directory.
 */
export async function startProxyWorld(
  stack: AsyncDisposableStack,
): Promise<World> {
  await requireTools("docker-registry", "openssl", "tinyproxy");
  const dir = await Deno.makeTempDir({ prefix: "hangar_proxy_" });
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  const start = distributionsIn(stack, { storageDir: `${dir}/storage` });
  await Deno.mkdir(`${dir}/ca`);
  const ca = await makeTestCertificates(`${dir}/ca`);
  const certDir = await makeCertDir(`${dir}/certs`, { "ca.crt": ca.caCert });
  await Deno.mkdir(`${dir}/self`);
  const self = await makeSelfSignedCertificate(`${dir}/self`);
  await Deno.mkdir(`${dir}/tokens`);
  const tokenServer = await startTokenServer({
    dir: `${dir}/tokens`,
    users: { [USER]: PASSWORD },
  });
  stack.defer(() => tokenServer.stop());
  const open = await start({});
  await seedImage(open.url, { repository: "lib/app", tag: "1" }, {
    kind: "index",
    format: "oci",
    platforms: [{ architecture: "amd64", os: "linux" }],
    seed: "proxy",
  });
  const tls = { certFile: ca.serverCert, keyFile: ca.serverKey };
  const world: World = {
    dir,
    certDir,
    open,
    plain: await start({}),
    tlsA: await start({ tls }),
    tlsB: await start({ tls }),
    selfA: await start({ tls: self }),
    selfB: await start({ tls: self }),
    token: await start({
      token: {
        realm: tokenServer.realm,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
        rootCertBundle: tokenServer.rootCertBundle,
      },
    }),
    tokenServer,
    proxy: await startTinyproxy(),
    authProxy: await startTinyproxy({
      basicAuth: { user: PROXY_USER, password: PROXY_PASSWORD },
    }),
    captured: [],
  };
  stack.defer(() => world.proxy.stop());
  stack.defer(() => world.authProxy.stop());
  return world;
}

/**
 * One in-process `mirror-validate` of `SRC/lib/app DST/lib/app 1` with a
 * fixed clock (09:05:07) under `env` (also the credentials' environment);
 * every output is kept in `world.captured`.
 */
export async function validate(
  world: World,
  pair: [Distribution, Distribution],
  flags: string[],
  env: Record<string, string>,
) {
  const list = `${world.dir}/list-${crypto.randomUUID()}.txt`;
  const [src, dst] = pair;
  await Deno.writeTextFile(list, `${src.host}/lib/app ${dst.host}/lib/app 1\n`);
  const failedFile = `${list}.failed`;
  const run = await runCli(
    ["mirror-validate", "-f", list, "-o", failedFile, ...flags],
    { env, credentials: { env, home: "/nonexistent" }, now: () => AT },
  );
  const failed = await Deno.readTextFile(failedFile).catch(() => "");
  world.captured.push(run.stdout, run.stderr, failed);
  return { ...run, failed };
}

/** The PASS line of {@linkcode validate} for `src` and `dst`. */
export function passLine(src: Distribution, dst: Distribution): string {
  return `09:05:07 [INFO] [M_ID:1] PASS [${src.host}/lib/app:1] == [${dst.host}/lib/app:1]`;
}

/** The `[ERRO]` lines of `text`. */
function errors(text: string): string[] {
  return text.match(/^.*\[ERRO\].*$/gm) ?? [];
}

/** The proxy's log entries after the first `before`. */
async function logSince(proxy: Tinyproxy, before: number) {
  return (await proxy.log()).slice(before);
}

/** What went through `proxy` since `before` entries is `expected` (any order). */
export async function assertThrough(
  proxy: Tinyproxy,
  before: number,
  expected: string[],
) {
  const log = await logSince(proxy, before);
  assert.deepEqual(targets(log), [...expected].sort(), log.join("\n"));
}

/**
 * The distinct `GET scheme://HOST` (HEAD counted as GET) / `CONNECT HOST` of
 * log entries, sorted.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { targets } from "./proxy_world.ts";
 * assert.deepEqual(
 *   targets(["HEAD http://a:1/v2/x", "GET http://a:1/v2/y", "CONNECT b:2"]),
 *   ["CONNECT b:2", "GET http://a:1"],
 * );
 * ```
 */
export function targets(entries: string[]): string[] {
  const out = entries.map((entry) => {
    const [method, target] = entry.split(" ") as [string, string];
    if (method === "CONNECT") return entry;
    return `${method === "HEAD" ? "GET" : method} ${new URL(target).origin}`;
  });
  return [...new Set(out)].sort();
}

/**
 * The --debug line for `host` reached through `proxy` or directly.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { reachedLine } from "./proxy_world.ts";
 * assert.equal(reachedLine("r:1", undefined), '[DEBU] registry "r:1" is reached directly');
 * ```
 */
export function reachedLine(host: string, proxy: string | undefined): string {
  return proxy === undefined
    ? `[DEBU] registry "${host}" is reached directly`
    : `[DEBU] registry "${host}" is reached through proxy "${proxy}"`;
}

/**
 * The run is exactly one FAILED line whose source reason is `reason`, and
 * the failed file holds the line again.
 */
export function assertProxyFailure(
  run: { code: number; stderr: string; text: string; failed: string },
  [src, dst]: [Distribution, Distribution],
  reason: string,
) {
  assert.equal(run.code, 1, run.text);
  assert.deepEqual(errors(run.stderr), [
    `09:05:07 [ERRO] [M_ID:1] FAILED [${src.host}/lib/app:1] => [${dst.host}/lib/app:1]: source: ${reason}`,
  ]);
  assert.ok(!run.text.includes("does not exist"), run.text);
  assert.equal(run.failed, `${src.host}/lib/app ${dst.host}/lib/app 1\n`);
}

/** Fails if any password of the world appears in any output kept so far. */
export function assertNoSecrets(world: World): void {
  for (const text of world.captured) {
    for (const secret of [PROXY_PASSWORD, PROXY_WRONG, PASSWORD]) {
      assert.ok(!text.includes(secret), `"${secret}" in output:\n${text}`);
    }
  }
}
