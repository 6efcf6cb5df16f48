// End to end against real distribution registries that want credentials: one
// with TLS (a test CA) and htpasswd, one with token auth from the tests' token
// server, each serving the storage an open registry was seeded through. Every
// credential source, wrong and missing credentials, TLS on and off, login and
// logout; every output is searched for the secrets at the end.

import assert from "node:assert/strict";
import { runCli } from "./support/cli_run.ts";
import { cliPermissionArgs } from "./support/cli_permissions.ts";
import {
  type Distribution,
  distributionsIn,
  makeHtpasswd,
  makeTestCertificates,
} from "./support/distribution.ts";
import { seedImage } from "./support/seed.ts";
import { startTokenServer, type TokenServer } from "./support/token_server.ts";
import { requireTools } from "./support/tools.ts";

const USER = "alice";
const PASSWORD = "pw-Secr3t-4f9d1c";
const WRONG = "pw-Wr0ng-77ab02";
const IDENTITY_TOKEN = "idt-R3fresh-9c1e55";
const AMD64 = { architecture: "amd64", os: "linux" } as const;
const ARM64 = { architecture: "arm64", os: "linux" } as const;

interface World {
  dir: string;
  certDir: string;
  binDir: string;
  open: Distribution;
  basic: Distribution;
  token: Distribution;
  tokenServer: TokenServer;
  accessToken: Distribution;
  accessTokenServer: TokenServer;
  captured: string[];
}

async function buildWorld(dir: string, stack: AsyncDisposableStack) {
  const storageDir = `${dir}/storage`;
  const certs = await makeTestCertificates(dir);
  const certDir = `${dir}/certs`;
  await Deno.mkdir(certDir);
  await Deno.copyFile(certs.caCert, `${certDir}/ca.crt`);
  const htpasswd = await makeHtpasswd(dir, USER, PASSWORD);
  const start = distributionsIn(stack, { storageDir });
  const startTokens = async (
    name: string,
    options: Partial<Parameters<typeof startTokenServer>[0]> = {},
  ) => {
    await Deno.mkdir(`${dir}/${name}`);
    const server = await startTokenServer({
      dir: `${dir}/${name}`,
      users: { [USER]: PASSWORD },
      identityTokens: { [IDENTITY_TOKEN]: USER },
      ...options,
    });
    stack.defer(() => server.stop());
    return server;
  };
  const tokenAuth = (server: TokenServer) => ({
    token: {
      realm: server.realm,
      service: server.service,
      issuer: server.issuer,
      rootCertBundle: server.rootCertBundle,
    },
  });
  const open = await start({});
  for (const tag of ["1", "2", "3", "4"]) {
    await seedImage(open.url, { repository: "lib/app", tag }, {
      kind: "index",
      format: "oci",
      platforms: [AMD64, ARM64],
      seed: `app-${tag}`,
    });
  }
  const basic = await start({
    tls: { certFile: certs.serverCert, keyFile: certs.serverKey },
    htpasswd: { file: htpasswd },
  });
  const tokenServer = await startTokens("tokens");
  const token = await start(tokenAuth(tokenServer));
  const accessTokenServer = await startTokens("access-tokens", {
    tokenField: "access_token",
  });
  const accessToken = await start(tokenAuth(accessTokenServer));
  const binDir = `${dir}/bin`;
  await Deno.mkdir(binDir);
  const helper = `#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
case "$server" in
  ${basic.host}|${token.host}) printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;
  await Deno.writeTextFile(`${binDir}/docker-credential-testpass`, helper);
  await Deno.chmod(`${binDir}/docker-credential-testpass`, 0o755);
  return {
    dir,
    certDir,
    binDir,
    open,
    basic,
    token,
    tokenServer,
    accessToken,
    accessTokenServer,
    captured: [] as string[],
  };
}

/** One in-process CLI run; every output and the failed file are kept. */
async function run(world: World, args: string[], env: Record<string, string>) {
  const failedFile = `${world.dir}/failed-${crypto.randomUUID()}.txt`;
  const isValidate = args[0] === "mirror-validate";
  const { code, stdout, stderr, text } = await runCli(
    isValidate ? [...args, "-o", failedFile] : args,
    { env, credentials: { env } },
  );
  const failed = await Deno.readTextFile(failedFile).catch(() => "");
  world.captured.push(stdout, stderr, failed);
  return { code, stdout, stderr, text };
}

async function listFile(world: World, dest: Distribution, tags = ["1"]) {
  const file = `${world.dir}/list-${crypto.randomUUID()}.txt`;
  await Deno.writeTextFile(
    file,
    tags.map((tag) =>
      `${world.open.host}/lib/app ${dest.host}/lib/app ${tag}\n`
    ).join(""),
  );
  return file;
}

function authJson(key: string, entry: Record<string, string>): string {
  return JSON.stringify({ auths: { [key]: entry } });
}

const b64 = (text: string) => btoa(text);
const HTTP = ["--dest-tls-verify=false"];
const PASS = /\[INFO\] \[M_ID:1\] PASS \[/;

Deno.test("credentials, token auth and TLS against real registries", async (t) => {
  await requireTools("docker-registry", "openssl", "htpasswd");
  const dir = await Deno.makeTempDir({ prefix: "hangar_auth_" });
  await using stack = new AsyncDisposableStack();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  const world: World = await buildWorld(dir, stack);
  const { basic, token, certDir } = world;
  // The source side is the open plain-http registry, never verified.
  const validate = async (
    dest: Distribution,
    env: Record<string, string>,
    extra: string[] = ["--cert-dir", certDir],
  ) =>
    await run(world, [
      "mirror-validate",
      "-f",
      await listFile(world, dest),
      "--src-tls-verify=false",
      ...extra,
    ], env);
  const home = async (name: string) => {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path, { recursive: true });
    return path;
  };

  await t.step(
    "DEST_USERNAME/DEST_PASSWORD pass htpasswd over verified TLS",
    async () => {
      const result = await validate(basic, {
        DEST_USERNAME: USER,
        DEST_PASSWORD: PASSWORD,
      }, ["--cert-dir", certDir, "--debug"]);
      assert.match(result.stdout, PASS, result.text);
      assert.equal(result.code, 0);
    },
  );

  await t.step("every auth file location is read", async () => {
    const hosts = { key: basic.host, url: `https://${basic.host}` };
    const entry = { auth: b64(`${USER}:${PASSWORD}`) };
    const cases: [string, (h: string) => Promise<Record<string, string>>][] = [
      ["REGISTRY_AUTH_FILE", async (h) => {
        await Deno.writeTextFile(`${h}/auth.json`, authJson(hosts.key, entry));
        return { REGISTRY_AUTH_FILE: `${h}/auth.json` };
      }],
      ["XDG_RUNTIME_DIR", async (h) => {
        await Deno.mkdir(`${h}/containers`);
        await Deno.writeTextFile(
          `${h}/containers/auth.json`,
          authJson(hosts.key, entry),
        );
        return { XDG_RUNTIME_DIR: h };
      }],
      ["~/.config/containers", async (h) => {
        await Deno.mkdir(`${h}/.config/containers`, { recursive: true });
        await Deno.writeTextFile(
          `${h}/.config/containers/auth.json`,
          authJson(hosts.key, entry),
        );
        return { HOME: h };
      }],
      ["DOCKER_CONFIG", async (h) => {
        await Deno.writeTextFile(
          `${h}/config.json`,
          authJson(hosts.url, entry),
        );
        return { DOCKER_CONFIG: h };
      }],
      ["~/.docker", async (h) => {
        await Deno.mkdir(`${h}/.docker`);
        await Deno.writeTextFile(
          `${h}/.docker/config.json`,
          authJson(`${hosts.url}/v1/`, {
            username: USER,
            password: PASSWORD,
          }),
        );
        return { HOME: h };
      }],
    ];
    for (const [name, make] of cases) {
      const env = await make(await home(`files/${name.replace(/\W/g, "_")}`));
      const result = await validate(basic, env);
      assert.match(result.stdout, PASS, `${name}: ${result.text}`);
    }
  });

  await t.step(
    "credHelpers and credsStore run docker-credential-<name>",
    async () => {
      for (
        const config of [{ credHelpers: { [basic.host]: "testpass" } }, {
          credsStore: "testpass",
        }]
      ) {
        const h = await home(`helper-${crypto.randomUUID()}`);
        await Deno.writeTextFile(`${h}/config.json`, JSON.stringify(config));
        const result = await validate(basic, {
          DOCKER_CONFIG: h,
          PATH: `${world.binDir}:/usr/bin:/bin`,
        });
        assert.match(result.stdout, PASS, result.text);
      }
    },
  );

  await t.step(
    "the environment wins over a file; a broken file is a warning",
    async () => {
      const h = await home("env-wins");
      await Deno.writeTextFile(
        `${h}/auth.json`,
        authJson(basic.host, { auth: b64(`${USER}:${WRONG}`) }),
      );
      const wins = await validate(basic, {
        REGISTRY_AUTH_FILE: `${h}/auth.json`,
        DEST_USERNAME: USER,
        DEST_PASSWORD: PASSWORD,
      });
      assert.match(wins.stdout, PASS, wins.text);
      await Deno.writeTextFile(`${h}/broken.json`, `{"auths": {"${WRONG}`);
      await Deno.mkdir(`${h}/.docker`);
      await Deno.writeTextFile(
        `${h}/.docker/config.json`,
        authJson(basic.host, { auth: b64(`${USER}:${PASSWORD}`) }),
      );
      const broken = await validate(basic, {
        REGISTRY_AUTH_FILE: `${h}/broken.json`,
        HOME: h,
      });
      assert.match(broken.stdout, PASS, broken.text);
      assert.equal(
        broken.stderr.match(/\[WARN\] .*/g)?.join("\n"),
        `[WARN] Cannot parse auth file "${h}/broken.json": invalid JSON`,
      );
    },
  );

  await t.step(
    "wrong and missing credentials are auth failures with advice",
    async () => {
      const wrong = await validate(basic, {
        DEST_USERNAME: USER,
        DEST_PASSWORD: WRONG,
      }, ["--cert-dir", certDir, "--debug"]);
      assert.equal(wrong.code, 1);
      assert.match(
        wrong.stderr,
        new RegExp(
          `FAILED .*: destination: HEAD .*: response status code 401 \\(unauthorized\\); the credentials for "${basic.host}" were rejected$`,
          "m",
        ),
      );
      assert.doesNotMatch(wrong.text, /does not exist/);
      const none = await validate(basic, {});
      assert.equal(none.code, 1);
      assert.match(
        none.stderr,
        new RegExp(
          `FAILED .* 401 \\(unauthorized\\); log in with "hangar login ${basic.host}" or set DEST_USERNAME/DEST_PASSWORD$`,
          "m",
        ),
      );
      assert.doesNotMatch(none.text, /does not exist/);
    },
  );

  await t.step(
    "TLS: an unknown CA is one clear FAIL; skipping verification passes",
    async () => {
      const env = { DEST_USERNAME: USER, DEST_PASSWORD: PASSWORD };
      const started = performance.now();
      const unknown = await validate(basic, env, []);
      assert.ok(performance.now() - started < 10_000);
      assert.equal(unknown.code, 1);
      const failures = unknown.stderr.match(/\[ERRO\].*/g) ?? [];
      assert.equal(failures.length, 1, unknown.text);
      assert.equal(
        failures[0],
        `[ERRO] [M_ID:1] FAILED [${world.open.host}/lib/app:1] => [${basic.host}/lib/app:1]: destination: TLS connection to "${basic.host}" failed: the certificate is signed by an unknown authority (invalid peer certificate: UnknownIssuer); use --dest-tls-verify=false or --tls-verify=false to skip verification`,
      );
      for (
        const flags of [["--tls-verify=false"], ["--dest-tls-verify=false"], [
          "--dest-tls-verify",
          "false",
        ]]
      ) {
        const skipped = await validate(basic, env, flags);
        assert.match(skipped.stdout, PASS, `${flags}: ${skipped.text}`);
      }
      const srcStrict = await validate(basic, env, [
        "--cert-dir",
        certDir,
        "--src-tls-verify=true",
      ]);
      assert.match(srcStrict.stderr, /FAILED .*the server does not speak TLS/);
    },
  );

  await t.step(
    "token auth: env, file, identity token, access_token answers",
    async () => {
      world.tokenServer.requests.length = 0;
      const env = await validate(token, {
        DEST_USERNAME: USER,
        DEST_PASSWORD: PASSWORD,
      }, HTTP);
      assert.match(env.stdout, PASS, env.text);
      assert.deepEqual(world.tokenServer.requests, [{
        method: "GET",
        user: USER,
        scopes: ["repository:lib/app:pull"],
      }]);
      const h = await home("identity");
      await Deno.writeTextFile(
        `${h}/auth.json`,
        authJson(token.host, { identitytoken: IDENTITY_TOKEN }),
      );
      const identity = await validate(token, {
        REGISTRY_AUTH_FILE: `${h}/auth.json`,
      }, [...HTTP, "--debug"]);
      assert.match(identity.stdout, PASS, identity.text);
      assert.equal(world.tokenServer.requests.at(-1)?.method, "POST");
      assert.equal(world.tokenServer.requests.at(-1)?.user, USER);
      assert.match(
        identity.stdout,
        /\[DEBU\] auth: token for "repository:lib\/app:pull"/,
      );
      const access = await validate(world.accessToken, {
        DEST_USERNAME: USER,
        DEST_PASSWORD: PASSWORD,
      }, HTTP);
      assert.match(access.stdout, PASS, access.text);
      assert.equal(world.accessTokenServer.requests.length, 1);
    },
  );

  await t.step(
    "token auth: concurrent images share one token request",
    async () => {
      world.tokenServer.requests.length = 0;
      const result = await run(world, [
        "mirror-validate",
        "-f",
        await listFile(world, token, ["1", "2", "3", "4"]),
        "--src-tls-verify=false",
        ...HTTP,
        "-j",
        "4",
      ], { DEST_USERNAME: USER, DEST_PASSWORD: PASSWORD });
      assert.equal(result.code, 0, result.text);
      assert.equal(result.stdout.match(/ PASS \[/g)?.length, 4);
      assert.deepEqual(world.tokenServer.requests, [{
        method: "GET",
        user: USER,
        scopes: ["repository:lib/app:pull"],
      }]);
    },
  );

  await t.step("token auth: wrong and missing credentials", async () => {
    const wrong = await validate(token, {
      DEST_USERNAME: USER,
      DEST_PASSWORD: WRONG,
    }, HTTP);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      new RegExp(
        `FAILED .*: Cannot get a token for "${token.host}": .*; the credentials for "${token.host}" were rejected`,
      ),
    );
    const none = await validate(token, {}, [...HTTP, "--debug"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /FAILED .*401.*; log in with "hangar login /);
    assert.doesNotMatch(none.text, /does not exist/);
  });

  await t.step(
    "hangar login checks, stores (0600) and logout removes",
    async () => {
      const h = await home("login");
      const authFile = `${h}/containers/auth.json`;
      const env = { XDG_RUNTIME_DIR: h };
      const rejected = await run(world, [
        "login",
        basic.host,
        "-u",
        USER,
        "-p",
        WRONG,
        "--cert-dir",
        certDir,
      ], env);
      assert.equal(rejected.code, 1);
      assert.match(rejected.stderr, /were rejected/);
      await assert.rejects(Deno.stat(authFile), Deno.errors.NotFound);
      for (
        const [registry, flags] of [[basic.host, ["--cert-dir", certDir]], [
          token.host,
          ["--tls-verify=false"],
        ]] as const
      ) {
        const ok = await run(world, [
          "login",
          registry,
          "-u",
          USER,
          "-p",
          PASSWORD,
          ...flags,
        ], env);
        assert.equal(ok.code, 0, ok.text);
        assert.match(ok.stdout, /^Login Succeeded!/);
      }
      assert.equal((await Deno.stat(authFile)).mode! & 0o777, 0o600);
      assert.deepEqual(JSON.parse(await Deno.readTextFile(authFile)), {
        auths: {
          [basic.host]: { auth: b64(`${USER}:${PASSWORD}`) },
          [token.host]: { auth: b64(`${USER}:${PASSWORD}`) },
        },
      });
      assert.match((await validate(basic, env)).stdout, PASS);
      assert.match((await validate(token, env, HTTP)).stdout, PASS);
      const out = await run(world, ["logout", basic.host], env);
      assert.equal(out.code, 0, out.text);
      assert.match((await validate(basic, env)).stderr, /FAILED .*log in with/);
      const again = await run(world, ["logout", basic.host], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^Error: Not logged in to "/);
    },
  );

  await t.step("hangar login --password-stdin in a real process", async () => {
    const authFile = `${dir}/stdin-auth.json`;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...cliPermissionArgs(),
        new URL("../cli.ts", import.meta.url).pathname,
        "login",
        basic.host,
        "-u",
        USER,
        "--password-stdin",
        "--cert-dir",
        certDir,
      ],
      env: { REGISTRY_AUTH_FILE: authFile, NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`${PASSWORD}\n`));
    await writer.close();
    const output = await child.output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    world.captured.push(stdout, stderr);
    assert.equal(output.code, 0, stderr);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(authFile)).auths, {
      [basic.host]: { auth: b64(`${USER}:${PASSWORD}`) },
    });
  });

  await t.step(
    "no output holds a password, token or Authorization value",
    () => {
      const secrets = [
        PASSWORD,
        WRONG,
        IDENTITY_TOKEN,
        b64(`${USER}:${PASSWORD}`),
        b64(`${USER}:${WRONG}`),
        ...world.tokenServer.issued,
        ...world.accessTokenServer.issued,
      ];
      assert.ok(world.tokenServer.issued.length > 0);
      const all = world.captured.join("\n");
      assert.ok(all.includes("[DEBU]"), "debug output was captured");
      for (const secret of secrets) {
        assert.equal(all.includes(secret), false, "a secret leaked");
      }
      assert.doesNotMatch(
        all,
        /authorization\s*[:=]|Bearer ey/i,
      );
    },
  );
});
