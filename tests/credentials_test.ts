import assert from "node:assert/strict";
import {
  type CredentialSources,
  findCredential,
} from "../lib/auth/credentials.ts";

const b64 = (text: string) => btoa(text);

/** Injected sources over an in-memory file system. */
function sources(
  files: Record<string, string | Error>,
  extra: Partial<CredentialSources> & {
    warnings?: string[];
    helperCalls?: string[];
  } = {},
): CredentialSources {
  const { warnings = [], helperCalls = [], ...rest } = extra;
  return {
    env: {},
    home: "/home/u",
    readTextFile: (path) => {
      const content = files[path];
      if (content === undefined) {
        return Promise.reject(new Deno.errors.NotFound(`no ${path}`));
      }
      if (content instanceof Error) return Promise.reject(content);
      return Promise.resolve(content);
    },
    runHelper: (helper, serverUrl) => {
      helperCalls.push(`${helper} ${serverUrl}`);
      return Promise.resolve(
        JSON.stringify({
          Username: `${helper}-user`,
          Secret: `${helper}-secret`,
        }),
      );
    },
    warn: (line) => warnings.push(line),
    ...rest,
  };
}

const DOCKER = "/home/u/.docker/config.json";
const PODMAN = "/home/u/.config/containers/auth.json";

Deno.test("findCredential() takes SOURCE_* or DEST_* from the environment before any file", async () => {
  const files = {
    [DOCKER]: JSON.stringify({ auths: { "reg.io": { auth: b64("file:pw") } } }),
  };
  const env = {
    SOURCE_USERNAME: "src",
    SOURCE_PASSWORD: "s",
    DEST_USERNAME: "dst",
    DEST_PASSWORD: "d",
  };
  assert.deepEqual(
    await findCredential("reg.io", "source", { ...sources(files), env }),
    { username: "src", password: "s" },
  );
  assert.deepEqual(
    await findCredential("reg.io", "destination", { ...sources(files), env }),
    {
      username: "dst",
      password: "d",
    },
  );
  assert.deepEqual(
    await findCredential("reg.io", "destination", {
      ...sources(files),
      env: { SOURCE_USERNAME: "src" },
    }),
    { username: "file", password: "pw" },
  );
});

Deno.test("findCredential() reads files in order and the first file that has the registry wins", async () => {
  const entry = (user: string) =>
    JSON.stringify({ auths: { "reg.io": { auth: b64(`${user}:pw`) } } });
  const all = {
    "/custom/auth.json": entry("custom"),
    "/run/user/1/containers/auth.json": entry("xdg"),
    [PODMAN]: entry("podman"),
    "/dc/config.json": entry("dockerconfig"),
    [DOCKER]: entry("docker"),
  };
  const env = {
    REGISTRY_AUTH_FILE: "/custom/auth.json",
    XDG_RUNTIME_DIR: "/run/user/1",
    DOCKER_CONFIG: "/dc",
  };
  const find = async (
    files: Record<string, string>,
    e: Record<string, string>,
  ) => {
    const found = await findCredential("reg.io", "source", {
      ...sources(files),
      env: e,
    });
    return found && "username" in found ? found.username : undefined;
  };
  assert.equal(await find(all, env), "custom");
  const { "/custom/auth.json": _a, ...noCustom } = all;
  assert.equal(await find(noCustom, env), "xdg");
  const { "/run/user/1/containers/auth.json": _b, ...noXdg } = noCustom;
  assert.equal(await find(noXdg, env), "podman");
  const { [PODMAN]: _c, ...noPodman } = noXdg;
  assert.equal(await find(noPodman, env), "dockerconfig");
  assert.equal(await find(noPodman, {}), "docker");
  const other = {
    [PODMAN]: JSON.stringify({ auths: { "other.io": { auth: b64("o:p") } } }),
    [DOCKER]: entry("docker"),
  };
  assert.equal(await find(other, {}), "docker");
});

Deno.test("findCredential() matches Docker Hub under https://index.docker.io/v1/ and its other names", async () => {
  for (
    const key of [
      "https://index.docker.io/v1/",
      "index.docker.io",
      "docker.io",
      "registry-1.docker.io",
    ]
  ) {
    const files = {
      [DOCKER]: JSON.stringify({ auths: { [key]: { auth: b64("hub:pw") } } }),
    };
    assert.deepEqual(
      await findCredential("docker.io", "source", sources(files)),
      { username: "hub", password: "pw" },
      key,
    );
  }
});

Deno.test("findCredential() matches keys by host, host:port and URL forms", async () => {
  const files = {
    [DOCKER]: JSON.stringify({
      auths: {
        "reg.io:5000": { auth: b64("port:pw") },
        "http://plain.io": { auth: b64("plain:pw") },
        "https://url.io/v1/": { auth: b64("url:pw") },
      },
    }),
  };
  assert.deepEqual(
    await findCredential("reg.io:5000", "source", sources(files)),
    { username: "port", password: "pw" },
  );
  assert.equal(
    await findCredential("reg.io", "source", sources(files)),
    undefined,
  );
  assert.deepEqual(await findCredential("plain.io", "source", sources(files)), {
    username: "plain",
    password: "pw",
  });
  assert.deepEqual(await findCredential("URL.io", "source", sources(files)), {
    username: "url",
    password: "pw",
  });
});

Deno.test("findCredential() returns an identity token and keeps colons in passwords", async () => {
  const files = {
    [DOCKER]: JSON.stringify({
      auths: {
        "a.io": { auth: b64("u:p"), identitytoken: "refresh-me" },
        "b.io": { auth: b64("u:pa:ss") },
      },
    }),
  };
  assert.deepEqual(await findCredential("a.io", "source", sources(files)), {
    identityToken: "refresh-me",
  });
  assert.deepEqual(await findCredential("b.io", "source", sources(files)), {
    username: "u",
    password: "pa:ss",
  });
});

Deno.test("findCredential() asks credHelpers[host] first, then auths, then credsStore", async () => {
  const calls: string[] = [];
  const file = {
    credHelpers: { "gcr.io": "gcloud", "docker.io": "hub" },
    auths: {
      "gcr.io": { auth: b64("file:pw") },
      "quay.io": { auth: b64("quay:pw") },
      "empty.io": {},
    },
    credsStore: "desktop",
  };
  const files = { [DOCKER]: JSON.stringify(file) };
  assert.deepEqual(
    await findCredential(
      "gcr.io",
      "source",
      sources(files, { helperCalls: calls }),
    ),
    {
      username: "gcloud-user",
      password: "gcloud-secret",
    },
  );
  assert.deepEqual(
    await findCredential(
      "quay.io",
      "source",
      sources(files, { helperCalls: calls }),
    ),
    {
      username: "quay",
      password: "pw",
    },
  );
  assert.deepEqual(
    await findCredential(
      "empty.io",
      "source",
      sources(files, { helperCalls: calls }),
    ),
    {
      username: "desktop-user",
      password: "desktop-secret",
    },
  );
  await findCredential(
    "docker.io",
    "source",
    sources(files, { helperCalls: calls }),
  );
  assert.deepEqual(calls, [
    "gcloud gcr.io",
    "desktop empty.io",
    "hub https://index.docker.io/v1/",
  ]);
});

Deno.test("findCredential() reads an identity token from a helper that answers Username <token>", async () => {
  const files = { [DOCKER]: JSON.stringify({ credsStore: "pass" }) };
  const found = await findCredential("reg.io", "source", {
    ...sources(files),
    runHelper: () =>
      Promise.resolve(
        '{"ServerURL":"reg.io","Username":"<token>","Secret":"idt"}',
      ),
  });
  assert.deepEqual(found, { identityToken: "idt" });
});

Deno.test("findCredential() is silent about missing files and warns once per unusable file", async () => {
  const warnings: string[] = [];
  const files = {
    "/custom/auth.json": "{ not json, secret: c2VjcmV0",
    "/run/user/1/containers/auth.json": new Deno.errors.PermissionDenied(
      "Permission denied (os error 13)",
    ),
    [PODMAN]: JSON.stringify({ auths: [] }),
    [DOCKER]: JSON.stringify({ auths: { "reg.io": { auth: b64("ok:pw") } } }),
  };
  const found = await findCredential("reg.io", "source", {
    ...sources(files, { warnings }),
    env: {
      REGISTRY_AUTH_FILE: "/custom/auth.json",
      XDG_RUNTIME_DIR: "/run/user/1",
    },
  });
  assert.deepEqual(found, { username: "ok", password: "pw" });
  assert.deepEqual(warnings, [
    'Cannot parse auth file "/custom/auth.json": invalid JSON',
    'Cannot read auth file "/run/user/1/containers/auth.json": Permission denied (os error 13)',
    `Cannot parse auth file "${PODMAN}": "auths" is not an object`,
  ]);
  const none: string[] = [];
  assert.equal(
    await findCredential("reg.io", "source", sources({}, { warnings: none })),
    undefined,
  );
  assert.deepEqual(none, []);
});

Deno.test("findCredential() runs a real docker-credential helper from PATH", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hangar_helper_" });
  try {
    const script = `${dir}/docker-credential-fake`;
    await Deno.writeTextFile(
      script,
      `#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
case "$server" in
  reg.io) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
    );
    await Deno.chmod(script, 0o755);
    const warnings: string[] = [];
    const options: CredentialSources = {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      home: "/home/u",
      readTextFile: (path) =>
        path === DOCKER
          ? Promise.resolve(JSON.stringify({ credsStore: "fake" }))
          : Promise.reject(new Deno.errors.NotFound(path)),
      warn: (line) => warnings.push(line),
    };
    assert.deepEqual(await findCredential("reg.io", "source", options), {
      username: "helper-user",
      password: "helper-secret",
    });
    assert.equal(
      await findCredential("other.io", "source", options),
      undefined,
    );
    assert.deepEqual(warnings, []);
    const broken = {
      ...options,
      readTextFile: (path: string) =>
        path === DOCKER
          ? Promise.resolve(JSON.stringify({ credsStore: "absent" }))
          : Promise.reject(new Deno.errors.NotFound(path)),
    };
    assert.equal(await findCredential("reg.io", "source", broken), undefined);
    assert.deepEqual(warnings, [
      'Cannot run credential helper "docker-credential-absent": not found',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findCredential() quotes a failing helper's standard error, never its standard output", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hangar_helper_" });
  try {
    await Deno.writeTextFile(
      `${dir}/docker-credential-leaky`,
      `#!/bin/sh
read -r server
printf '{"Username":"u","Secret":"s3cr3t-from-stdout"}\\n'
echo "keychain is locked" >&2
exit 1
`,
    );
    await Deno.writeTextFile(
      `${dir}/docker-credential-quiet`,
      `#!/bin/sh
read -r server
echo "s3cr3t-from-stdout"
exit 4
`,
    );
    await Deno.chmod(`${dir}/docker-credential-leaky`, 0o755);
    await Deno.chmod(`${dir}/docker-credential-quiet`, 0o755);
    const warnings: string[] = [];
    for (const helper of ["leaky", "quiet"]) {
      const found = await findCredential("reg.io", "source", {
        env: { PATH: `${dir}:/usr/bin:/bin` },
        home: "/home/u",
        readTextFile: (path) =>
          path === DOCKER
            ? Promise.resolve(JSON.stringify({ credsStore: helper }))
            : Promise.reject(new Deno.errors.NotFound(path)),
        warn: (line) => warnings.push(line),
      });
      assert.equal(found, undefined);
    }
    assert.deepEqual(warnings, [
      'Credential helper "docker-credential-leaky" failed with exit code 1: keychain is locked',
      'Credential helper "docker-credential-quiet" failed with exit code 4',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
