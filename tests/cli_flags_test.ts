// cli.ts in-process: how flags are checked (one "Error: ..." line, exit 2,
// before any request), the help text, and what --arch/--os, --timeout,
// --default-project, trailing comments and missing destinations do to a run.
// Registries are the in-process OCI server, passed as fetch.

import assert from "node:assert/strict";
import type { CliIo } from "../cli.ts";
import { runCli, timeless } from "./support/cli_run.ts";
import { seedBoth, twoRegistries } from "./support/two_registries.ts";

const AMD64 = { architecture: "amd64", os: "linux" };

async function run(args: string[], fetch?: CliIo["fetch"]) {
  return timeless(await runCli(args, fetch ? { fetch } : {}));
}

/** src.test and dst.test, both holding `repository`:3 byte for byte. */
async function mirrored(destinationRepository = "library/alpine") {
  const registries = twoRegistries();
  const requests: string[] = [];
  const fetch = (request: Request) => {
    requests.push(request.url);
    return registries.fetch(request);
  };
  await seedBoth(
    registries,
    { repository: "library/alpine", tag: "3" },
    { kind: "image", format: "oci", platform: AMD64, seed: "a" },
    { destinationRepository },
  );
  return { fetch, requests };
}

async function withList<T>(
  text: string,
  fn: (list: string, dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/list`, text);
    return await fn(`${dir}/list`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("main() prints every usage error as one 'Error: ...' line, exits 2 and sends no request", async () => {
  await withList("alpine:3\n", async (list, dir) => {
    const base = ["mirror-validate", "-f", list, "-d", "dst.test"];
    // deno-fmt-ignore
    const cases: [string[], string][] = [
      [["mirror-validate"], `Required option "-f, --file <file>" not specified`],
      [["mirror-validate", "-f", list, "--bogus"], `Unknown option "--bogus"`],
      [["mirror-validate", "-f", list, "--tls-verfy", "false"], `Unknown option "--tls-verfy": did you mean --tls-verify?`],
      [["mirror-validate", "-f", list, "--tls-verfy=false"], `Unknown option "--tls-verfy=false": did you mean --tls-verify?`],
      [["mirror", "snapshot", "-f", list, "-o", "x", "--deeep=1"], `Unknown option "--deeep=1": did you mean --deep?`],
      [["mirror-validate", "-f", list, "--zzz=1"], `Unknown option "--zzz=1"`],
      [["mirror-validate", "-f", list, "-j"], `Option "-j, --jobs <n>" argument missing`],
      [["mirror-validate", "-f", list, "extra"], `Too many arguments for "mirror-validate": expected 0 arguments but got 1`],
      [["mirror-vaildate"], `Unknown command "mirror-vaildate": did you mean mirror-validate?`],
      [[...base, "-a", "linux/amd64"], `Invalid --arch "linux/amd64": a platform, not an architecture: did you mean -a amd64 --os linux?`],
      [[...base, "-a", "amd64, arm/v7"], `Invalid --arch "arm/v7": variants are not selected separately (-a arm selects every variant): did you mean -a arm?`],
      [[...base, "-a", "amd46"], `Invalid --arch "amd46": unknown architecture: did you mean amd64?`],
      [[...base, "--os", "linux/amd64"], `Invalid --os "linux/amd64": a platform, not an operating system: did you mean -a amd64 --os linux?`],
      [[...base, "--os", "Linus"], `Invalid --os "linus": unknown operating system: did you mean linux?`],
      [[...base, "--os", " , "], `Invalid --os: the list is empty`],
      [[...base, "--timeout", "5"], `Invalid --timeout "5": add a unit, e.g. 5s or 5m`],
      [[...base, "--timeout", "ten"], `Invalid --timeout "ten": expected a number with a unit such as "30s", "10m" or "1h"`],
      [[...base, "--cert-dir", `${dir}/none`], `Invalid --cert-dir "${dir}/none": no such directory`],
      [[...base, "--cert-dir", list], `Invalid --cert-dir "${list}": not a directory`],
      [[...base, "--default-project", "Team"], `Invalid --default-project "Team": repository name must be lowercase`],
      [[...base, "--destination-project", "a//b"], `Invalid --destination-project "a//b": repository name has an empty path component`],
      [[...base, "-j", "many"], `Invalid --jobs "many": not a whole number`],
      [[...base, "--tls-verify=maybe"], `Invalid --tls-verify "maybe": use true or false`],
    ];
    const { fetch, requests } = await mirrored();
    for (const [args, message] of cases) {
      const result = await run(args, fetch);
      const label = args.slice(1).join(" ");
      assert.equal(result.stderr, `Error: ${message}\n`, label);
      assert.equal(result.stdout, "", label);
      assert.equal(result.code, 2, label);
    }
    assert.deepEqual(requests, []);
  });
});

Deno.test("main() accepts every alias and GOARCH/GOOS name a user may give", async () => {
  const { fetch } = await mirrored();
  await withList("alpine:3\n", async (list, dir) => {
    const result = await run([
      "mirror-validate",
      "-f",
      list,
      "-s",
      "src.test",
      "-d",
      "dst.test",
      "-a",
      "x86_64, AARCH64,armhf,s390x,riscv64",
      "--os",
      "linux,windows,freebsd",
      "-o",
      `${dir}/failed`,
    ], fetch);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
  });
});

Deno.test("main() --help marks -f as required and shows the list formats, exit codes and five examples", async () => {
  for (
    const args of [["mirror-validate", "--help"], ["mirror", "validate", "-h"]]
  ) {
    const help = await run(args);
    assert.equal(help.code, 0);
    assert.match(
      help.stdout,
      /^ {2}-f, --file <file> +image list file, required/m,
    );
    assert.match(help.stdout, /^ {2}default format +one reference;/m);
    assert.match(help.stdout, /^ {2}mirror format +SOURCE DEST TAG/m);
    assert.match(
      help.stdout,
      /^Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}130 /m,
    );
    const examples = help.stdout.split("Examples:\n")[1] ?? "";
    assert.equal(
      examples.split("\n").filter((l) =>
        l.startsWith("  hangar mirror-validate -f ")
      ).length,
      5,
    );
  }
});

Deno.test("main() --timeout beyond the timer limit (720h) is no limit: a passing image passes", async () => {
  const { fetch } = await mirrored();
  await withList("alpine:3\n", async (list, dir) => {
    for (const timeout of ["720h", "0", "10m"]) {
      const result = await run([
        "mirror-validate",
        "-f",
        list,
        "-s",
        "src.test",
        "-d",
        "dst.test",
        "--timeout",
        timeout,
        "-o",
        `${dir}/failed`,
      ], fetch);
      assert.equal(result.stderr, "", timeout);
      assert.match(
        result.stdout,
        /^\[INFO\] \[M_ID:1\] PASS \[src.test\/library\/alpine:3\] == \[dst.test\/library\/alpine:3\]$/m,
      );
      assert.equal(result.code, 0, timeout);
    }
  });
});

Deno.test("main() says in one WARN line that every image was skipped, naming the selection", async () => {
  const { fetch } = await mirrored("library/other");
  await withList("alpine:3\nalpine:3\n", async (list, dir) => {
    const result = await run([
      "mirror-validate",
      "-f",
      list,
      "-s",
      "src.test",
      "-d",
      "dst.test",
      "-a",
      "arm64, s390x",
      "--os",
      "linux",
      "-o",
      `${dir}/failed`,
    ], fetch);
    const skip =
      "[WARN] [M_ID:1] SKIP [src.test/library/alpine:3] => [dst.test/library/alpine:3]: no image available for the specified arch & OS list\n";
    assert.equal(
      result.stderr,
      skip + skip.replace("M_ID:1", "M_ID:2") +
        "[WARN] Every image was skipped: none has a platform in --arch arm64,s390x --os linux\n",
    );
    assert.equal(result.code, 0);
  });
});

Deno.test("main() does not warn about skips when an image passed", async () => {
  const { fetch } = await mirrored();
  await withList("alpine:3\n", async (list, dir) => {
    const result = await run([
      "mirror-validate",
      "-f",
      list,
      "-s",
      "src.test",
      "-d",
      "dst.test",
      "-o",
      `${dir}/failed`,
    ], fetch);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
  });
});

Deno.test("main() without -d reports default-format lines in one error line with their count, exit 1", async () => {
  const { fetch } = await mirrored();
  const text =
    "# list\nnginx\nsrc.test/library/alpine dst.test/library/alpine 3\nquay.io/a/b:1   # note\nredis\n";
  await withList(text, async (list, dir) => {
    const result = await run([
      "mirror-validate",
      "-f",
      list,
      "-o",
      `${dir}/failed`,
    ], fetch);
    assert.equal(
      result.stderr,
      `[ERRO] 3 lines name no destination registry (first: ${list}:2): give -d REGISTRY or set DEST_REGISTRY\n`,
    );
    assert.match(
      result.stdout,
      /^\[INFO\] \[M_ID:1\] PASS \[src.test\/library\/alpine:3\] == \[dst.test\/library\/alpine:3\]$/m,
    );
    assert.match(
      result.stdout,
      /Validated 4 lines in \S+: 1 passed, 0 skipped, 0 failed, 3 invalid, 0 not run/,
    );
    assert.equal(result.code, 1);
  });
  await withList("nginx\n", async (list, dir) => {
    const result = await run(["mirror-validate", "-f", list, "-o", `${dir}/f`]);
    assert.equal(
      result.stderr,
      `[ERRO] 1 line names no destination registry (first: ${list}:1): give -d REGISTRY or set DEST_REGISTRY\n`,
    );
    assert.equal(result.code, 1);
  });
});

Deno.test("main() validates a line with a trailing comment", async () => {
  const { fetch } = await mirrored();
  await withList("alpine:3   # the base image\n", async (list, dir) => {
    const result = await run([
      "mirror-validate",
      "-f",
      list,
      "-s",
      "src.test",
      "-d",
      "dst.test",
      "-o",
      `${dir}/failed`,
    ], fetch);
    assert.equal(result.stderr, "");
    assert.match(result.stdout, /\[M_ID:1\] PASS /);
    assert.equal(result.code, 0);
  });
});

Deno.test("main() --default-project foo and '' name the mirror DEST as legacy hangar does", async () => {
  // deno-fmt-ignore
  const cases: [string[], string, string][] = [
    [["--default-project", "foo"], "foo/mirrored-alpine", "dst.test/foo/mirrored-alpine:3"],
    [["--default-project", ""], "mirrored-alpine", "dst.test/mirrored-alpine:3"],
    [[], "library/mirrored-alpine", "dst.test/library/mirrored-alpine:3"],
  ];
  for (const [flags, repository, shown] of cases) {
    const { fetch } = await mirrored(repository);
    await withList("alpine mirrored-alpine 3\n", async (list, dir) => {
      const result = await run([
        "mirror-validate",
        "-f",
        list,
        "-s",
        "src.test",
        "-d",
        "dst.test",
        ...flags,
        "-o",
        `${dir}/failed`,
      ], fetch);
      assert.equal(result.stderr, "", flags.join(" "));
      assert.match(
        result.stdout,
        new RegExp(
          `PASS \\[src.test/library/alpine:3\\] == \\[${shown}\\]$`,
          "m",
        ),
      );
      assert.equal(result.code, 0);
    });
  }
});

Deno.test("main() uses a mirror DEST that names its registry as written: one segment stays one", async () => {
  const { fetch } = await mirrored("solo");
  await withList(
    "src.test/library/alpine dst.test/solo 3\n",
    async (list, dir) => {
      const result = await run([
        "mirror-validate",
        "-f",
        list,
        "-o",
        `${dir}/failed`,
      ], fetch);
      assert.equal(result.stderr, "");
      assert.match(
        result.stdout,
        /PASS \[src.test\/library\/alpine:3\] == \[dst.test\/solo:3\]$/m,
      );
      assert.equal(result.code, 0);
    },
  );
});
