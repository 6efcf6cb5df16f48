import assert from "node:assert/strict";
import type { Fetch } from "../lib/transport/fetch.ts";
import { login, loginAuthFile, logout } from "../lib/registry/login.ts";
import { runCli } from "./support/cli_run.ts";

const GOOD = btoa("alice:pw-good");

/** A registry that wants Basic alice:pw-good on /v2/; logs each request. */
function basicRegistry() {
  const seen: string[] = [];
  const fetch: Fetch = (request) => {
    const authorization = request.headers.get("authorization");
    seen.push(`${request.method} ${request.url} ${authorization ?? "-"}`);
    const ok = authorization === `Basic ${GOOD}`;
    return Promise.resolve(
      new Response(ok ? "{}" : '{"errors":[{"code":"UNAUTHORIZED"}]}', {
        status: ok ? 200 : 401,
        headers: { "www-authenticate": 'Basic realm="test"' },
      }),
    );
  };
  return { fetch, seen };
}

async function withDir(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "hangar_login_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loginAuthFile() picks --authfile, REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, then ~/.config", () => {
  const env = {
    REGISTRY_AUTH_FILE: "/a.json",
    XDG_RUNTIME_DIR: "/run/user/1",
    HOME: "/home/u",
  };
  assert.equal(loginAuthFile({ authFile: "/x.json", env }), "/x.json");
  assert.equal(loginAuthFile({ env }), "/a.json");
  assert.equal(
    loginAuthFile({ env: { ...env, REGISTRY_AUTH_FILE: undefined } }),
    "/run/user/1/containers/auth.json",
  );
  assert.equal(
    loginAuthFile({ env: { HOME: "/home/u" } }),
    "/home/u/.config/containers/auth.json",
  );
  assert.throws(() => loginAuthFile({ env: {} }), TypeError);
});

Deno.test("login() checks /v2/, then writes the entry podman writes with mode 0600, keeping the rest", async () => {
  await withDir(async (dir) => {
    const authFile = `${dir}/containers/auth.json`;
    await Deno.mkdir(`${dir}/containers`);
    await Deno.writeTextFile(
      authFile,
      JSON.stringify({
        auths: {
          "other.io": { auth: "b3RoZXI6eA==" },
          "https://reg.io:5000": { auth: "b2xkOng=" },
        },
        credHelpers: { "gcr.io": "gcloud" },
      }),
    );
    const registry = basicRegistry();
    const path = await login("reg.io:5000", {
      username: "alice",
      password: "pw-good",
    }, { env: { XDG_RUNTIME_DIR: dir }, fetch: registry.fetch });
    assert.equal(path, authFile);
    assert.deepEqual(registry.seen, [
      "GET https://reg.io:5000/v2/ -",
      `GET https://reg.io:5000/v2/ Basic ${GOOD}`,
    ]);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(authFile)), {
      auths: {
        "other.io": { auth: "b3RoZXI6eA==" },
        "reg.io:5000": { auth: GOOD },
      },
      credHelpers: { "gcr.io": "gcloud" },
    });
    assert.equal((await Deno.stat(authFile)).mode! & 0o777, 0o600);
    assert.deepEqual(
      [...Deno.readDirSync(`${dir}/containers`)].map((e) => e.name),
      ["auth.json"],
    );
  });
});

Deno.test("login() stores Docker Hub under docker.io and creates the directory", async () => {
  await withDir(async (dir) => {
    const registry = basicRegistry();
    const authFile = `${dir}/new/auth.json`;
    await login("https://index.docker.io/v1/", {
      username: "alice",
      password: "pw-good",
    }, { authFile, fetch: registry.fetch });
    assert.equal(
      registry.seen[0],
      "GET https://registry-1.docker.io/v2/ -",
    );
    assert.deepEqual(JSON.parse(await Deno.readTextFile(authFile)), {
      auths: { "docker.io": { auth: GOOD } },
    });
  });
});

Deno.test("login() leaves the file alone when the registry rejects the credentials or the file is broken", async () => {
  await withDir(async (dir) => {
    const authFile = `${dir}/auth.json`;
    const registry = basicRegistry();
    const rejected = await login("reg.io", {
      username: "alice",
      password: "pw-bad",
    }, { authFile, fetch: registry.fetch }).catch((e) => e);
    assert.equal(rejected.kind, "unauthorized");
    assert.equal(
      rejected.message,
      'GET "https://reg.io/v2/": response status code 401 (unauthorized): unauthorized; the credentials for "reg.io" were rejected',
    );
    await assert.rejects(Deno.stat(authFile), Deno.errors.NotFound);
    await Deno.writeTextFile(
      authFile,
      '{"auths": {"reg.io": {"auth": "c2VjcmV0',
    );
    await assert.rejects(
      login("reg.io", { username: "alice", password: "pw-good" }, {
        authFile,
        fetch: registry.fetch,
      }),
      {
        message:
          `Cannot update auth file "${authFile}": invalid JSON; fix or remove it`,
      },
    );
    assert.equal(
      await Deno.readTextFile(authFile),
      '{"auths": {"reg.io": {"auth": "c2VjcmV0',
    );
    await assert.rejects(
      login("reg.io", { username: "a:b", password: "x" }, { authFile }),
      TypeError,
    );
    await assert.rejects(
      login("reg.io", { username: "alice", password: "" }, { authFile }),
      TypeError,
    );
  });
});

Deno.test("logout() removes every key of the host and fails when there was none", async () => {
  await withDir(async (dir) => {
    const authFile = `${dir}/auth.json`;
    await Deno.writeTextFile(
      authFile,
      JSON.stringify({
        auths: {
          "reg.io": { auth: GOOD },
          "https://reg.io/v2/": { auth: GOOD },
          "other.io": { auth: GOOD },
        },
      }),
    );
    assert.equal(await logout("REG.io", { authFile }), authFile);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(authFile)), {
      auths: { "other.io": { auth: GOOD } },
    });
    await assert.rejects(logout("reg.io", { authFile }), {
      message: `Not logged in to "reg.io": no entry in "${authFile}"`,
    });
    await assert.rejects(logout("reg.io", { authFile: `${dir}/none.json` }), {
      message: `Not logged in to "reg.io": no entry in "${dir}/none.json"`,
    });
  });
});

Deno.test("main() runs hangar login and logout with exit codes 0, 1 and 2", async () => {
  await withDir(async (dir) => {
    const registry = basicRegistry();
    const run = async (args: string[]) => {
      const { code, stdout, stderr } = await runCli(args, {
        env: { REGISTRY_AUTH_FILE: `${dir}/auth.json` },
        fetch: registry.fetch,
      });
      return { code, stdout, stderr };
    };
    const ok = await run(["login", "reg.io", "-u", "alice", "-p", "pw-good"]);
    assert.deepEqual(ok, {
      code: 0,
      stdout: `Login Succeeded! (credentials stored in "${dir}/auth.json")\n`,
      stderr:
        "WARNING! Using --password on the command line is insecure: use --password-stdin\n",
    });
    const bad = await run(["login", "reg.io", "-u", "alice", "-p", "pw-bad"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /\nError: .*were rejected\n$/);
    assert.doesNotMatch(bad.stderr, /pw-bad/);
    const usage = await run(["login", "reg.io", "-u", "alice"]);
    assert.equal(usage.code, 2);
    assert.equal(
      usage.stderr,
      "Error: A password is needed: pass --password-stdin (or --password)\n",
    );
    const both = await run([
      "login",
      "reg.io",
      "-u",
      "alice",
      "-p",
      "x",
      "--password-stdin",
    ]);
    assert.equal(both.code, 2);
    assert.equal((await run(["login", "reg.io", "-p", "x"])).code, 2);
    const out = await run(["logout", "reg.io"]);
    assert.deepEqual(out, {
      code: 0,
      stdout:
        `Removed login credentials for "reg.io" from "${dir}/auth.json"\n`,
      stderr: "",
    });
    assert.equal((await run(["logout", "reg.io"])).code, 1);
  });
});
