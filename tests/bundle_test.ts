// The one-file artifact for air-gapped jump hosts: dist/hangar.js, built by
// scripts/bundle.ts, run by a bare `deno` from an empty DENO_DIR with remote
// and npm fetching disabled, in a directory with nothing else, against two
// real registries holding an exact skopeo copy.

import assert from "node:assert/strict";
import { bundle, bundleArgs, ROOT } from "../scripts/bundle.ts";
import { permissionFlags } from "../lib/cli/permissions.ts";
import { compileCommands, compileFailure } from "../scripts/compile.ts";
import { startDistribution } from "./support/distribution.ts";
import { seedImage } from "./support/seed.ts";
import { skopeoCopy } from "./support/skopeo.ts";
import { requireTools } from "./support/tools.ts";

const BUNDLE = `${ROOT}dist/hangar.js`;

/** The newest modification time of the sources the bundle is made of. */
async function newestSource(path: string): Promise<number> {
  const info = await Deno.stat(path);
  if (!info.isDirectory) return info.mtime?.getTime() ?? Infinity;
  let newest = 0;
  for await (const entry of Deno.readDir(path)) {
    newest = Math.max(newest, await newestSource(`${path}/${entry.name}`));
  }
  return newest;
}

/** dist/hangar.js, rebuilt unless it is newer than every source. */
async function freshBundle(): Promise<string> {
  const built = await Deno.stat(BUNDLE).then((i) => i.mtime?.getTime() ?? 0)
    .catch(() => 0);
  let newest = 0;
  for (
    const path of [
      "cli.ts",
      "deno.json",
      "deno.lock",
      "lib",
      "scripts/bundle.ts",
    ]
  ) {
    newest = Math.max(newest, await newestSource(`${ROOT}${path}`));
  }
  return built > newest ? BUNDLE : await bundle();
}

async function runBundle(
  bundlePath: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "--cached-only",
      "--no-remote",
      "--no-npm",
      "--no-config",
      "--no-lock",
      "--no-prompt",
      ...permissionFlags(),
      bundlePath,
      ...args,
    ],
    cwd,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: cwd,
      DENO_DIR: `${cwd}/deno_dir`,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) =>
    new TextDecoder().decode(bytes).replace(/^\d\d:\d\d:\d\d /gm, "");
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("bundleArgs() bundles cli.ts for Deno with every npm package inlined", () => {
  assert.deepEqual(bundleArgs("dist/hangar.js"), [
    "bundle",
    "--quiet",
    "--platform=deno",
    "--packages=bundle",
    "--output",
    "dist/hangar.js",
    "cli.ts",
  ]);
});

Deno.test("the bundle validates a real mirror from an empty DENO_DIR without fetching anything", async () => {
  await requireTools("docker-registry", "skopeo", "sha256sum");
  const built = await freshBundle();
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const src = await startDistribution();
  const dst = await startDistribution();
  // The jump host: a directory with hangar.js and SHA256SUMS, nothing else.
  const host = await Deno.makeTempDir();
  try {
    await Deno.copyFile(built, `${host}/hangar.js`);
    await Deno.copyFile(`${ROOT}dist/SHA256SUMS`, `${host}/SHA256SUMS`);
    const check = await new Deno.Command("sha256sum", {
      args: ["-c", "--ignore-missing", "SHA256SUMS"],
      cwd: host,
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(check.stdout), "hangar.js: OK\n");
    assert.equal(check.code, 0);

    const version = await runBundle(`${host}/hangar.js`, ["--version"], host);
    assert.deepEqual(version, {
      code: 0,
      stdout: `${config.version}\n`,
      stderr: "",
    });

    await seedImage(src.url, { repository: "lib/app", tag: "1" }, {
      kind: "index",
      format: "docker",
      platforms: [
        { architecture: "amd64", os: "linux" },
        { architecture: "arm64", os: "linux" },
      ],
      seed: "bundle",
    });
    await skopeoCopy(`${src.host}/lib/app:1`, `${dst.host}/lib/app:1`);
    await Deno.writeTextFile(
      `${host}/list`,
      `${src.host}/lib/app ${dst.host}/lib/app 1\n`,
    );
    const run = await runBundle(`${host}/hangar.js`, [
      "mirror-validate",
      "-f",
      "list",
      "--tls-verify=false",
    ], host);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stderr, "");
    assert.equal(
      run.stdout.split("\n")[0],
      `[INFO] [M_ID:1] PASS [${src.host}/lib/app:1] == [${dst.host}/lib/app:1]`,
    );
    // Nothing was fetched into the empty cache.
    const npm = await Array.fromAsync(Deno.readDir(`${host}/deno_dir/npm`))
      .catch(() => []);
    assert.deepEqual(npm, []);
  } finally {
    await Promise.all([src.stop(), dst.stop()]);
    await Deno.remove(host, { recursive: true });
  }
});

Deno.test("the bundle loads Node's layer only for commander: no node:module import, and commander's usage errors and help still work", async () => {
  const built = await freshBundle();
  const code = await Deno.readTextFile(built);
  assert(!code.includes('from "node:module"'));
  const host = await Deno.makeTempDir();
  try {
    await Deno.copyFile(built, `${host}/hangar.js`);
    const typo = await runBundle(
      `${host}/hangar.js`,
      ["mirror-validate", "-f", "list", "--tls-verfy=false"],
      host,
    );
    assert.equal(typo.code, 2);
    assert.equal(typo.stdout, "");
    assert.equal(
      typo.stderr,
      'Error: Unknown option "--tls-verfy=false": did you mean --tls-verify?\n',
    );
    const help = await runBundle(`${host}/hangar.js`, ["--help"], host);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: hangar \[options\] \[command\]/);
  } finally {
    await Deno.remove(host, { recursive: true });
  }
});

Deno.test("dist/SHA256SUMS lists every file in dist/ and sha256sum -c accepts it", async () => {
  await requireTools("sha256sum");
  await freshBundle();
  const names = (await Array.fromAsync(Deno.readDir(`${ROOT}dist`)))
    .filter((entry) => entry.isFile && entry.name !== "SHA256SUMS")
    .map((entry) => entry.name).sort();
  const sums = await Deno.readTextFile(`${ROOT}dist/SHA256SUMS`);
  assert.deepEqual(
    sums.trimEnd().split("\n").map((line) => line.split("  ")[1]),
    names,
  );
  const check = await new Deno.Command("sha256sum", {
    args: ["-c", "SHA256SUMS"],
    cwd: `${ROOT}dist`,
    stdout: "piped",
  }).output();
  assert.equal(check.code, 0);
  assert.equal(
    new TextDecoder().decode(check.stdout),
    names.map((name) => `${name}: OK\n`).join(""),
  );
});

Deno.test("compileCommands() builds five targets with the documented permission set, not -A", () => {
  const commands = compileCommands();
  assert.deepEqual(commands.map((c) => c.output), [
    "dist/hangar-x86_64-unknown-linux-gnu",
    "dist/hangar-aarch64-unknown-linux-gnu",
    "dist/hangar-x86_64-apple-darwin",
    "dist/hangar-aarch64-apple-darwin",
    "dist/hangar-x86_64-pc-windows-msvc.exe",
  ]);
  assert.deepEqual(commands[0]?.args, [
    "compile",
    "--quiet",
    "--no-prompt",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    `--allow-env=${permissionFlags()[3]!.slice("--allow-env=".length)}`,
    `--allow-run=${permissionFlags()[4]!.slice("--allow-run=".length)}`,
    "--allow-sys",
    "--target",
    "x86_64-unknown-linux-gnu",
    "--output",
    "dist/hangar-x86_64-unknown-linux-gnu",
    "cli.ts",
  ]);
  for (const { args } of commands) {
    assert(!args.includes("-A") && !args.includes("--allow-all"));
  }
});

Deno.test("compileFailure() names the unreachable runtime download in one line", () => {
  const stderr = [
    "Compile cli.ts to dist/hangar-x86_64-apple-darwin",
    "error: Writing deno compile executable to temporary file",
    "Caused by:",
    "    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-apple-darwin.zip): client error (Connect): dns error",
  ].join("\n");
  assert.equal(
    compileFailure("x86_64-apple-darwin", stderr),
    'Cannot compile for "x86_64-apple-darwin": deno compile downloads its runtime from "https://dl.deno.land/release/v2.9.6/denort-x86_64-apple-darwin.zip", which is not reachable from here: build where dl.deno.land is reachable, or use the bundle (deno task bundle)',
  );
  assert.equal(
    compileFailure("x86_64-apple-darwin", "error: Module not found\n"),
    'Cannot compile for "x86_64-apple-darwin": Module not found',
  );
});
