// The failed file (-o) never costs the user a file: a clean run removes only a
// regular file, devices and FIFOs are never opened for the check nor removed,
// a failed removal is a warning, and -o naming the list is a usage error.

import { registryWithImage } from "./support/two_registries.ts";
import assert from "node:assert/strict";
import {
  cliSandbox,
  FAILING_LINE,
  PASSING_LINE,
  summaryOf,
} from "./support/cli_sandbox.ts";
import { stripTime } from "./support/cli_run.ts";
import { succeeds } from "./support/tools.ts";
import { serveHandler } from "./support/oci_server.ts";
import {
  CAN_DROP_PRIVILEGES,
  unprivilegedCli,
} from "./support/unprivileged.ts";

// Two lines: a summary that needs no singular.
const CLEAN =
  "[INFO] Validated 2 lines: 2 passed, 0 skipped, 0 failed, 0 invalid, 0 not run";
const LIST = `${PASSING_LINE}\n${PASSING_LINE}\n`;
const unix = { ignore: Deno.build.os === "windows" };

Deno.test("a clean run leaves -o /dev/null as it is", unix, async () => {
  await using box = await cliSandbox();
  await Deno.writeTextFile(`${box.dir}/list.txt`, LIST);
  const run = await box.run(["-f", `${box.dir}/list.txt`, "-o", "/dev/null"]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  assert.equal((await Deno.lstat("/dev/null")).isCharDevice, true);
});

Deno.test("a clean run leaves a character device -o in place", {
  ignore: Deno.build.os === "windows" || Deno.uid() !== 0,
}, async () => {
  await using box = await cliSandbox();
  await Deno.writeTextFile(`${box.dir}/list.txt`, LIST);
  const device = `${box.dir}/null`; // a second /dev/null (1, 3)
  assert.ok(await succeeds("mknod", ["-m", "666", device, "c", "1", "3"]));
  const run = await box.run(["-f", `${box.dir}/list.txt`, "-o", device]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  assert.equal((await Deno.lstat(device)).isCharDevice, true);
});

Deno.test("a clean run neither opens nor removes a FIFO -o", unix, async () => {
  await using box = await cliSandbox();
  await Deno.writeTextFile(`${box.dir}/list.txt`, LIST);
  const fifo = `${box.dir}/failed.fifo`;
  assert.ok(await succeeds("mkfifo", [fifo]));
  // Opening a FIFO for writing waits for a reader: the run would hang.
  const run = await box.run(["-f", `${box.dir}/list.txt`, "-o", fifo]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  assert.equal(summaryOf(run.stdout), CLEAN);
  assert.equal((await Deno.lstat(fifo)).isFifo, true);
});

Deno.test(
  "a clean run leaves a symbolic link -o and its file, with a warning",
  unix,
  async () => {
    await using box = await cliSandbox();
    await Deno.writeTextFile(`${box.dir}/list.txt`, LIST);
    await Deno.writeTextFile(`${box.dir}/kept.txt`, "old failed line\n");
    await Deno.symlink(`${box.dir}/kept.txt`, `${box.dir}/failed.txt`);
    const run = await box.run([
      "-f",
      `${box.dir}/list.txt`,
      "-o",
      `${box.dir}/failed.txt`,
    ]);
    assert.equal(
      run.stderr,
      '[WARN] Old failed list "DIR/failed.txt" left in place: it is a symbolic link\n',
    );
    assert.equal(run.code, 0);
    assert.equal((await Deno.lstat(`${box.dir}/failed.txt`)).isSymlink, true);
    assert.equal(
      await Deno.readTextFile(`${box.dir}/kept.txt`),
      "old failed line\n",
    );
  },
);

Deno.test("a clean run removes an old regular failed file", async () => {
  await using box = await cliSandbox();
  await Deno.writeTextFile(`${box.dir}/list.txt`, LIST);
  await Deno.writeTextFile(`${box.dir}/failed.txt`, "old failed line\n");
  const run = await box.run([
    "-f",
    `${box.dir}/list.txt`,
    "-o",
    `${box.dir}/failed.txt`,
  ]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  await assert.rejects(
    Deno.lstat(`${box.dir}/failed.txt`),
    Deno.errors.NotFound,
  );
});

Deno.test(
  "-o naming the list exits 2 before any request and leaves the list as it was",
  unix,
  async (t) => {
    const cases: [string, (dir: string) => Promise<string>][] = [
      ["the same path", (dir) => Promise.resolve(`${dir}/list.txt`)],
      [
        "the same path written another way",
        (dir) => Promise.resolve(`${dir}/./list.txt`),
      ],
      ["a hard link", async (dir) => {
        await Deno.link(`${dir}/list.txt`, `${dir}/hard.txt`);
        return `${dir}/hard.txt`;
      }],
      ["a symbolic link", async (dir) => {
        await Deno.symlink(`${dir}/list.txt`, `${dir}/soft.txt`);
        return `${dir}/soft.txt`;
      }],
    ];
    for (const lines of [`${FAILING_LINE}\n`, `${PASSING_LINE}\n`]) {
      for (const [name, output] of cases) {
        await t.step(
          `${name}, ${
            lines.startsWith(FAILING_LINE) ? "fail" : "pass"
          }ing list`,
          async () => {
            await using box = await cliSandbox();
            await Deno.writeTextFile(`${box.dir}/list.txt`, lines);
            const out = await output(box.dir);
            const run = await box.run(["-f", `${box.dir}/list.txt`, "-o", out]);
            assert.equal(
              run.stderr,
              `Error: Cannot write failed list "${
                out.replace(box.dir, "DIR")
              }": it is the image list given to -f\n`,
            );
            assert.equal(run.code, 2);
            assert.equal(box.requests, 0);
            assert.equal(await Deno.readTextFile(`${box.dir}/list.txt`), lines);
          },
        );
      }
    }
  },
);

// Run as an unprivileged user (nobody, through setpriv, as root): the old
// failed file is writable but its directory is not, so it cannot be removed.
Deno.test(
  "a clean run that cannot remove the old failed file warns and still exits 0",
  {
    ignore: !CAN_DROP_PRIVILEGES,
  },
  async () => {
    await using cli = await unprivilegedCli();
    const registry = await registryWithImage("lib/app", "1");
    const server = serveHandler(registry.handler);
    const dir = await Deno.makeTempDir();
    try {
      const h = server.host;
      await Deno.chmod(dir, 0o755);
      const line = `${h}/lib/app ${h}/lib/app 1\n`;
      await Deno.writeTextFile(`${dir}/list.txt`, line + line);
      await Deno.mkdir(`${dir}/out`);
      await Deno.writeTextFile(`${dir}/out/failed.txt`, "old failed line\n");
      await Deno.chown(`${dir}/out/failed.txt`, cli.uid, cli.gid);
      await Deno.chmod(`${dir}/out`, 0o555);
      const run = await cli.run([
        "mirror-validate",
        "-f",
        `${dir}/list.txt`,
        "-o",
        `${dir}/out/failed.txt`,
        "--tls-verify=false",
      ]);
      assert.equal(
        stripTime(run.stderr),
        `[WARN] Cannot remove old failed list "${dir}/out/failed.txt": permission denied\n`,
      );
      assert.equal(summaryOf(stripTime(run.stdout)), CLEAN);
      assert.equal(run.code, 0);
      assert.equal(
        await Deno.readTextFile(`${dir}/out/failed.txt`),
        "old failed line\n",
      );
    } finally {
      await Deno.chmod(`${dir}/out`, 0o755).catch(() => {});
      await Deno.remove(dir, { recursive: true });
      await server.close();
    }
  },
);
