// The CLI as users run it, a `deno run` subprocess with the documented
// permission set (deno.json's `-P` set, and the same as flags) against two
// real registries holding an exact skopeo copy; then with one permission
// taken away, which must be one line naming the flag to add.

import assert from "node:assert/strict";
import { startDistribution } from "./support/distribution.ts";
import { seedImage } from "./support/seed.ts";
import { skopeoCopy } from "./support/skopeo.ts";
import { requireTools } from "./support/tools.ts";
import { PERMISSION_SET, permissionFlags } from "../lib/cli/permissions.ts";

const ROOT = new URL("..", import.meta.url).pathname;

interface World extends AsyncDisposable {
  dir: string;
  hosts: string[];
  /** `deno run -q --no-prompt FLAGS cli.ts mirror-validate ...` */
  run(flags: string[]): Promise<Run>;
  /** `deno run -q --no-prompt FLAGS cli.ts ARGS` */
  cli(flags: string[], args: string[]): Promise<Run>;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function world(): Promise<World> {
  await requireTools("docker-registry", "skopeo");
  const src = await startDistribution();
  const dst = await startDistribution();
  const dir = await Deno.makeTempDir();
  try {
    await seedImage(src.url, { repository: "lib/app", tag: "1" }, {
      kind: "index",
      format: "oci",
      platforms: [
        { architecture: "amd64", os: "linux" },
        { architecture: "arm64", os: "linux" },
      ],
      seed: "perm",
    });
    await skopeoCopy(`${src.host}/lib/app:1`, `${dst.host}/lib/app:1`);
    await Deno.writeTextFile(
      `${dir}/list`,
      `${src.host}/lib/app ${dst.host}/lib/app 1\n`,
    );
  } catch (error) {
    await Promise.all([src.stop(), dst.stop()]);
    throw error;
  }
  const cli = async (flags: string[], cliArgs: string[]): Promise<Run> => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--no-prompt", ...flags, "cli.ts", ...cliArgs],
      cwd: ROOT,
      // A proxy that is not there, bypassed for the registries: the proxy
      // variables are read, and reset around each HTTP client.
      env: {
        NO_COLOR: "1",
        HTTP_PROXY: "http://127.0.0.1:9",
        NO_PROXY: "127.0.0.1",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (bytes: Uint8Array) =>
      new TextDecoder().decode(bytes).replace(/^\d\d:\d\d:\d\d /gm, "");
    return {
      code: out.code,
      stdout: text(out.stdout),
      stderr: text(out.stderr),
    };
  };
  return {
    dir,
    hosts: [src.host, dst.host],
    cli,
    run(flags) {
      return cli(flags, [
        "mirror-validate",
        "-f",
        `${dir}/list`,
        "-o",
        `${dir}/failed`,
        "--tls-verify=false",
      ]);
    },
    async [Symbol.asyncDispose]() {
      await Promise.all([src.stop(), dst.stop()]);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function passLine(hosts: string[]): RegExp {
  const [src, dst] = hosts;
  return new RegExp(
    `^\\[INFO\\] \\[M_ID:1\\] PASS \\[${src}/lib/app:1\\] == \\[${dst}/lib/app:1\\]$`,
    "m",
  );
}

Deno.test("deno.json's permission set is the one the CLI documents", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.deepEqual(config.permissions, { default: PERMISSION_SET });
  assert.equal(config.tasks.hangar, "deno run -q -P cli.ts");
});

Deno.test("the CLI validates a real mirror under deno.json's permission set (-P)", async () => {
  await using w = await world();
  const run = await w.run(["-P"]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, passLine(w.hosts));
  assert.equal(run.stderr, "");
});

Deno.test("the CLI validates a real mirror with the documented flags", async () => {
  await using w = await world();
  const run = await w.run(permissionFlags());
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, passLine(w.hosts));
});

Deno.test("without --allow-net the run stops with one line naming --allow-net", async () => {
  await using w = await world();
  const flags = permissionFlags().filter((flag) => flag !== "--allow-net");
  const run = await w.run(flags);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  const host = /access to "([^"]+)"/.exec(run.stderr)?.[1] ?? "";
  assert(w.hosts.includes(host), run.stderr);
  assert.equal(
    run.stderr,
    `Error: Missing permission: net access to "${host}": run again with --allow-net\n`,
  );
});

Deno.test("without --allow-env the CLI says so in one line naming --allow-env", async () => {
  await using w = await world();
  const flags = permissionFlags().filter((f) => !f.startsWith("--allow-env"));
  const run = await w.run(flags);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  assert.equal(
    run.stderr,
    'Error: Missing permission: env access to "SOURCE_REGISTRY": run again with --allow-env\n',
  );
});

// Only the node:https path (an untrusted certificate under
// --tls-verify=false, client certificates, https through a proxy) reads the
// system CA store; its one-line error is pinned in insecure_route_test.ts.
Deno.test("without --allow-sys a plain-http run with --tls-verify=false still passes: Deno's own fetch needs no sys access", async () => {
  await using w = await world();
  const flags = permissionFlags().filter((flag) => flag !== "--allow-sys");
  const run = await w.run(flags);
  const [src, dst] = w.hosts as [string, string];
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  assert.match(
    run.stdout,
    new RegExp(`PASS \\[${src}/lib/app:1\\] == \\[${dst}/lib/app:1\\]`),
  );
});

Deno.test("without --allow-write the failed file is one usage line naming --allow-write", async () => {
  await using w = await world();
  const flags = permissionFlags().filter((flag) => flag !== "--allow-write");
  const run = await w.run(flags);
  assert.equal(run.code, 2);
  assert.equal(
    run.stderr,
    `Error: Cannot write failed list "${w.dir}/failed": Requires write access to "${w.dir}/failed", run again with the --allow-write flag\n`,
  );
});

Deno.test("under -P the CLI writes a snapshot and a JSON report, and reads the snapshot and an OCI layout back", async () => {
  await using w = await world();
  const [src, dst] = w.hosts as [string, string];
  const snapshot = `${w.dir}/source.json.gz`;
  const recorded = await w.cli(["-P"], [
    "mirror",
    "snapshot",
    "-f",
    `${w.dir}/list`,
    "-o",
    snapshot,
    "--failed",
    `${w.dir}/snapshot-failed`,
    "--tls-verify=false",
  ]);
  assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
  assert.match(recorded.stdout, new RegExp(`RECORDED \\[${src}/lib/app:1\\]`));
  assert.ok((await Deno.stat(snapshot)).size > 0);

  const report = `${w.dir}/report.jsonl`;
  const fromSnapshot = await w.cli(["-P"], [
    "mirror-validate",
    "-f",
    `${w.dir}/list`,
    "-o",
    `${w.dir}/failed`,
    "--tls-verify=false",
    "--source-snapshot",
    snapshot,
    "--report",
    `json=${report}`,
  ]);
  assert.equal(fromSnapshot.code, 0, fromSnapshot.stdout + fromSnapshot.stderr);
  assert.match(fromSnapshot.stdout, passLine(w.hosts));
  assert.equal(fromSnapshot.stderr, "");
  const objects = (await Deno.readTextFile(report)).trimEnd().split("\n")
    .map((line) => JSON.parse(line));
  assert.deepEqual(objects.map((o) => [o.type, o.status]), [
    ["line", "passed"],
    ["summary", undefined],
  ]);

  const layout = `${w.dir}/layout`;
  await skopeoCopy(`${dst}/lib/app:1`, `oci:${layout}:${src}/lib/app:1`);
  const fromLayout = await w.cli(["-P"], [
    "mirror-validate",
    "-f",
    `${w.dir}/list`,
    "-o",
    `${w.dir}/failed`,
    "--tls-verify=false",
    "--source-layout",
    layout,
  ]);
  assert.equal(fromLayout.code, 0, fromLayout.stdout + fromLayout.stderr);
  assert.match(fromLayout.stdout, passLine(w.hosts));
  assert.equal(fromLayout.stderr, "");
});
