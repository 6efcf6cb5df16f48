// cli.ts in-process: flags, usage errors, bad input files, the failed file and
// exit codes. Registries here are the in-process OCI server, passed as fetch.

import assert from "node:assert/strict";
import type { CliIo } from "../cli.ts";
import { runCli, timeless } from "./support/cli_run.ts";
import { seedBoth, twoRegistries } from "./support/two_registries.ts";

const AMD64 = { architecture: "amd64", os: "linux" };

async function run(args: string[], io: Partial<CliIo> = {}) {
  return timeless(await runCli(args, io));
}

/** Both registries hold library/alpine:3, byte for byte the same. */
async function exactMirror() {
  const registries = twoRegistries();
  await seedBoth(
    registries,
    { repository: "library/alpine", tag: "3" },
    { kind: "image", format: "oci", platform: AMD64, seed: "a" },
  );
  return registries;
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("main() prints the version and help, exit 0", async () => {
  const version = await run(["--version"]);
  assert.equal(version.code, 0);
  assert.equal(version.stdout, "0.1.0\n");
  const help = await run(["mirror-validate", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /-f, --file <file>/);
  assert.match(help.stdout, /--tls-verify \[bool\]/);
  const nested = await run(["mirror", "validate", "-h"]);
  assert.equal(nested.code, 0);
  assert.match(nested.stdout, /Usage: hangar mirror validate/);
});

Deno.test("main() exits 2 with one line for usage errors", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["mirror-validate"],
      /^Error: Required option "-f, --file <file>" not specified\n$/,
    ],
    [
      ["mirror-validate", "-f", "x", "--bogus"],
      /^Error: Unknown option "--bogus"\n$/,
    ],
    [
      ["mirror-validate", "-f", "/nonexistent/list.txt"],
      /^Error: Cannot read image list "\/nonexistent\/list.txt": no such file\n$/,
    ],
    [
      ["mirror-validate", "-f", "/tmp"],
      /^Error: Cannot read image list "\/tmp": it is a directory\n$/,
    ],
    [
      ["mirror-validate", "-f", "x", "-j", "many"],
      /^Error: Invalid --jobs "many": not a whole number\n$/,
    ],
    [
      ["mirror-validate", "-f", "x", "--timeout", "ten"],
      /^Error: Invalid --timeout "ten": expected a number with a unit/,
    ],
    [
      ["mirror-validate", "-f", "x", "--tls-verify=maybe"],
      /^Error: Invalid --tls-verify "maybe": use true or false\n$/,
    ],
    [
      ["mirror-validate", "-f", "x", "-d", "https://r.io"],
      /^Error: Invalid --destination "https:\/\/r.io": expected a registry host without a scheme\n$/,
    ],
  ];
  for (const [args, expected] of cases) {
    const result = await run(args);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, expected, args.join(" "));
  }
});

Deno.test("main() refuses a binary list and an unwritable -o before touching any registry", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(
      `${dir}/bin`,
      new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]),
    );
    const binary = await run([
      "mirror-validate",
      "-f",
      `${dir}/bin`,
      "-d",
      "dst.test",
    ]);
    assert.equal(binary.code, 2);
    assert.equal(
      binary.stderr,
      `Error: Cannot read image list "${dir}/bin": it is a binary file, not a text list\n`,
    );
    await Deno.writeTextFile(`${dir}/list`, "nginx\n");
    const unwritable = await run([
      "mirror-validate",
      "-f",
      `${dir}/list`,
      "-d",
      "dst.test",
      "-o",
      `${dir}/no/such/dir/f.txt`,
    ]);
    assert.equal(unwritable.code, 2);
    assert.equal(
      unwritable.stderr,
      `Error: Cannot write failed list "${dir}/no/such/dir/f.txt": no such file\n`,
    );
    await assert.rejects(Deno.stat(`${dir}/no`), Deno.errors.NotFound);
  });
});

Deno.test("main() exits 2 for a list with no image", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/list`,
      "# nothing here\n\n// still nothing\n",
    );
    const result = await run([
      "mirror-validate",
      "-f",
      `${dir}/list`,
      "-d",
      "dst.test",
      "-o",
      `${dir}/failed`,
    ]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `[ERRO] Image list "${dir}/list" has no image to validate\n`,
    );
  });
});

Deno.test("main() clamps -j to 1..20 with a warning and takes registries from the environment", async () => {
  const { fetch } = await exactMirror();
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/list`, "alpine:3\n");
    const result = await run([
      "mirror-validate",
      "-f",
      `${dir}/list`,
      "-j",
      "50",
      "--tls-verify=false",
      "-o",
      `${dir}/failed`,
    ], {
      fetch,
      env: { SOURCE_REGISTRY: "src.test", DEST_REGISTRY: "dst.test" },
    });
    assert.equal(
      result.stderr,
      "[WARN] --jobs 50 is out of range 1..20: using 20\n",
    );
    assert.match(
      result.stdout,
      /^\[INFO\] \[M_ID:1\] PASS \[src.test\/library\/alpine:3\] == \[dst.test\/library\/alpine:3\]$/m,
    );
    assert.equal(result.code, 0);
  });
});

Deno.test("main() reports invalid lines with FILE:LINE and still validates the valid ones", async () => {
  const { fetch } = await exactMirror();
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/list`,
      "alpine:3\nAlpine:3\n\n# c\nalpine:3 a\nalpine:3\n",
    );
    const result = await run([
      "mirror-validate",
      "-f",
      `${dir}/list`,
      "-s",
      "src.test",
      "-d",
      "dst.test",
      "--tls-verify=false",
      "-o",
      `${dir}/failed`,
    ], { fetch });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `^\\[ERRO\\] ${dir}/list:2: invalid line "Alpine:3": .*lowercase`,
        "m",
      ),
    );
    assert.match(
      result.stderr,
      new RegExp(
        `^\\[ERRO\\] ${dir}/list:5: invalid line "alpine:3 a": expected an image reference or "SOURCE DEST TAG", found 2 fields$`,
        "m",
      ),
    );
    assert.match(result.stdout, /\[M_ID:1\] PASS/);
    assert.match(result.stdout, /\[M_ID:2\] PASS/);
    assert.match(
      result.stdout,
      /Validated 4 lines in \S+: 2 passed, 0 skipped, 0 failed, 2 invalid, 0 not run/,
    );
    await assert.rejects(Deno.stat(`${dir}/failed`), Deno.errors.NotFound);
  });
});

Deno.test("main() without -d counts default-format lines invalid and says so once", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/list`, "nginx\n");
    const result = await run([
      "mirror-validate",
      "-f",
      `${dir}/list`,
      "-o",
      `${dir}/failed`,
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^\[ERRO\] 1 line names no destination registry \(first: .*list:1\): give -d REGISTRY or set DEST_REGISTRY$/m,
    );
  });
});
