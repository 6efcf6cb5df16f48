// The real CLI (a subprocess) reading its list from a pipe: `-f -` with the
// list piped in, bash's `<(...)`, and `-f - -o LIST < LIST` refused.

import { registryWithImage } from "./support/two_registries.ts";
import assert from "node:assert/strict";
import { stripTime } from "./support/cli_run.ts";
import { cliPermissionArgs } from "./support/cli_permissions.ts";
import { serveHandler } from "./support/oci_server.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
/** The permission arguments as words of a bash command line. */
const PERMISSIONS = cliPermissionArgs().map((arg) => `'${arg}'`).join(" ");

/** A served registry holding lib/app:1; lib/gone is missing. */
async function withRegistry(
  fn: (host: string, dir: string) => Promise<void>,
): Promise<void> {
  const registry = await registryWithImage("lib/app", "1");
  const server = serveHandler(registry.handler);
  const dir = await Deno.makeTempDir();
  try {
    await fn(server.host, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await server.close();
  }
}

async function run(command: string, args: string[], stdin?: string) {
  const child = new Deno.Command(command, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: stripTime(decoder.decode(out.stdout)),
    stderr: stripTime(decoder.decode(out.stderr)),
  };
}

Deno.test("the CLI reads a list piped to -f -", async () => {
  await withRegistry(async (h, dir) => {
    const list = [
      `${h}/lib/app ${h}/lib/app 1`,
      "not a valid line",
      `${h}/lib/app ${h}/lib/gone 1`,
    ];
    const result = await run(Deno.execPath(), [
      "run",
      ...cliPermissionArgs(),
      CLI,
      "mirror-validate",
      "-f",
      "-",
      "-o",
      `${dir}/failed.txt`,
      "--tls-verify=false",
    ], list.join("\n") + "\n");
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^\[INFO\] \[M_ID:1\] PASS /m);
    assert.match(
      result.stderr,
      /^\[ERRO\] \(standard input\):2: invalid line "not a valid line": /m,
    );
    assert.match(
      result.stdout,
      /^\[INFO\] Validated 3 lines in \S+: 1 passed, 0 skipped, 1 failed, 1 invalid, 0 not run$/m,
    );
    assert.equal(await Deno.readTextFile(`${dir}/failed.txt`), `${list[2]}\n`);
  });
});

Deno.test("the CLI reads bash's <(...) as a stream", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await withRegistry(async (h, dir) => {
    const line = `${h}/lib/app ${h}/lib/app 1`;
    await Deno.writeTextFile(`${dir}/list.txt`, `${line}\n${line}\n`);
    const result = await run("bash", [
      "-c",
      `exec "$0" run ${PERMISSIONS} "$1" mirror-validate -f <(cat "$2") -o "$3" --tls-verify=false`,
      Deno.execPath(),
      CLI,
      `${dir}/list.txt`,
      `${dir}/failed.txt`,
    ]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /^\[INFO\] Validated 2 lines in \S+: 2 passed, 0 skipped, 0 failed, 0 invalid, 0 not run$/m,
    );
  });
});

Deno.test(
  "-f - with the list redirected from the -o file exits 2 and keeps the list",
  {
    ignore: Deno.build.os === "windows",
  },
  async () => {
    await withRegistry(async (h, dir) => {
      const list = `${h}/lib/app ${h}/lib/gone 1\n`;
      await Deno.writeTextFile(`${dir}/list.txt`, list);
      // Under the documented permission set: standard input is identified
      // from its open descriptor, which needs no permission (a stat of
      // /dev/stdin is allowed only under --allow-all).
      const result = await run("bash", [
        "-c",
        `exec "$0" run ${PERMISSIONS} "$1" mirror-validate -f - -o "$2" < "$2"`,
        Deno.execPath(),
        CLI,
        `${dir}/list.txt`,
      ]);
      assert.equal(
        result.stderr,
        `Error: Cannot write failed list "${dir}/list.txt": it is the image list given to -f\n`,
      );
      assert.equal(result.code, 2);
      assert.equal(await Deno.readTextFile(`${dir}/list.txt`), list);
    });
  },
);
