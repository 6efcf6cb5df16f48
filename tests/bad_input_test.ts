// Bad input to the CLI: each gets one clear message and the right exit code,
// files are left alone on usage errors, and the valid lines of a partly bad
// list are still validated.

import assert from "node:assert/strict";
import { cliSandbox, summaryOf } from "./support/cli_sandbox.ts";

const OLD_FAILED = "left by an earlier run\n";
const GOOD = "src.test/lib/app dst.test/lib/app 1";

/** Runs main() in a temporary directory holding `list` (when given) and an old failed file. */
async function runIn(
  list: string | Uint8Array | undefined,
  extraArgs: string[] = [],
  options: {
    file?: (dir: string) => string;
    output?: (dir: string) => string;
  } = {},
) {
  await using box = await cliSandbox();
  const listFile = options.file?.(box.dir) ?? `${box.dir}/list.txt`;
  const output = options.output?.(box.dir) ?? `${box.dir}/failed.txt`;
  if (typeof list === "string") await Deno.writeTextFile(listFile, list);
  else if (list !== undefined) await Deno.writeFile(listFile, list);
  await Deno.writeTextFile(`${box.dir}/failed.txt`, OLD_FAILED);
  const run = await box.run(["-f", listFile, "-o", output, ...extraArgs]);
  const failed = await Deno.readTextFile(`${box.dir}/failed.txt`).catch(() =>
    undefined
  );
  const listAfter = await Deno.readFile(listFile).catch(() => undefined);
  return { ...run, requests: box.requests, failed, listAfter };
}

Deno.test("a missing list file exits 2 with one line and touches nothing", async () => {
  const result = await runIn(undefined);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'Error: Cannot read image list "DIR/list.txt": no such file\n',
  );
  assert.equal(result.stdout, "");
  assert.equal(result.requests, 0);
  assert.equal(result.failed, OLD_FAILED);
});

Deno.test("a directory as list exits 2 with one line", async () => {
  const result = await runIn(undefined, [], { file: (dir) => dir });
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'Error: Cannot read image list "DIR": it is a directory\n',
  );
  assert.equal(result.requests, 0);
  assert.equal(result.failed, OLD_FAILED);
});

Deno.test("a binary list exits 2 with one line and is left as it was", async () => {
  const bytes = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]);
  const result = await runIn(bytes);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'Error: Cannot read image list "DIR/list.txt": it is a binary file, not a text list\n',
  );
  assert.deepEqual(result.listAfter, bytes);
  assert.equal(result.failed, OLD_FAILED);
  assert.equal(result.requests, 0);
});

Deno.test("an -o that cannot be written exits 2 before any request and leaves files alone", async (t) => {
  await t.step("a directory", async () => {
    const result = await runIn(`${GOOD}\n`, [], { output: (dir) => dir });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'Error: Cannot write failed list "DIR": it is a directory\n',
    );
    assert.equal(result.requests, 0);
    assert.equal(result.failed, OLD_FAILED);
    assert.equal(new TextDecoder().decode(result.listAfter), `${GOOD}\n`);
  });
  await t.step("a path under a missing directory", async () => {
    const result = await runIn(`${GOOD}\n`, [], {
      output: (dir) => `${dir}/no/such/failed.txt`,
    });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'Error: Cannot write failed list "DIR/no/such/failed.txt": no such file\n',
    );
    assert.equal(result.requests, 0);
  });
  await t.step("a file under a regular file", async () => {
    const result = await runIn(`${GOOD}\n`, [], {
      output: (dir) => `${dir}/list.txt/failed.txt`,
    });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^Error: Cannot write failed list "DIR\/list.txt\/failed.txt": .+\n$/,
    );
    assert.equal(result.requests, 0);
  });
});

Deno.test("a 1 MB line is one invalid line; the other lines are validated", async () => {
  const long = "a".repeat(1024 * 1024);
  const result = await runIn(`${GOOD}\n${long}\n${GOOD}\n`);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    `[ERRO] DIR/list.txt:2: invalid line "${
      "a".repeat(200)
    }": line is longer than 65536 bytes\n`,
  );
  assert.match(result.stdout, /\[M_ID:1\] PASS/);
  assert.match(result.stdout, /\[M_ID:2\] PASS/);
  assert.equal(
    summaryOf(result.stdout),
    "[INFO] Validated 3 lines: 2 passed, 0 skipped, 0 failed, 1 invalid, 0 not run",
  );
  // nothing failed: the old failed file is gone
  assert.equal(result.failed, undefined);
});

Deno.test("a line that is not UTF-8 is one invalid line shown with \\xNN escapes; the other lines are validated", async () => {
  const enc = new TextEncoder();
  const bytes = new Uint8Array([
    ...enc.encode(`${GOOD}\nlib/caf`),
    0xe9,
    ...enc.encode(
      `:1\n${GOOD.replace("dst.test/lib/app", "dst.test/lib/gone")}\n`,
    ),
  ]);
  const result = await runIn(bytes);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^\[ERRO\] DIR\/list.txt:2: invalid line "lib\/caf\\xe9:1": line is not valid UTF-8$/m,
  );
  assert.match(
    result.stderr,
    /^\[ERRO\] \[M_ID:2\] FAILED .*: destination manifest does not exist$/m,
  );
  assert.equal(
    summaryOf(result.stdout),
    "[INFO] Validated 3 lines: 1 passed, 0 skipped, 1 failed, 1 invalid, 0 not run",
  );
  assert.equal(
    result.failed,
    "src.test/lib/app dst.test/lib/gone 1\n",
  );
});

Deno.test("a list with no valid line reports each line and exits 1 without a request", async () => {
  const result = await runIn("# header\nnot an image at all\nUPPER/case:1\n");
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr.split("\n").filter((l) => l.startsWith("[ERRO]")).length,
    2,
  );
  assert.match(
    result.stderr,
    /list.txt:2: invalid line "not an image at all": expected an image reference or "SOURCE DEST TAG", found 5 fields/,
  );
  assert.match(result.stderr, /list.txt:3: invalid line "UPPER\/case:1": /);
  assert.equal(
    summaryOf(result.stdout),
    "[INFO] Validated 2 lines: 0 passed, 0 skipped, 0 failed, 2 invalid, 0 not run",
  );
  assert.equal(result.requests, 0);
});

Deno.test("an empty list exits 2 with one line", async () => {
  const result = await runIn("");
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    '[ERRO] Image list "DIR/list.txt" has no image to validate\n',
  );
  assert.equal(result.requests, 0);
});
