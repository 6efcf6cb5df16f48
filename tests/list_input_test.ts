// Where the list comes from: standard input (`-f -`), a FIFO, a UTF-16 file;
// `-f` given twice; a list the user cannot read. Run in-process with main()'s
// injected standard input, except the last.

import assert from "node:assert/strict";
import {
  cliSandbox,
  FAILING_LINE,
  PASSING_LINE,
  summaryOf,
} from "./support/cli_sandbox.ts";
import {
  CAN_DROP_PRIVILEGES,
  unprivilegedCli,
} from "./support/unprivileged.ts";

const encoder = new TextEncoder();

Deno.test("-f - reads the list from standard input and names it in messages", async () => {
  await using box = await cliSandbox();
  const stdin = ReadableStream.from([
    encoder.encode(`${PASSING_LINE}\nnot a va`),
    encoder.encode(`lid line\n${FAILING_LINE}\n`),
  ]);
  const run = await box.run(["-f", "-", "-o", `${box.dir}/failed.txt`], {
    stdin,
  });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^\[INFO\] \[M_ID:1\] PASS /m);
  assert.match(
    run.stderr,
    /^\[ERRO\] \(standard input\):2: invalid line "not a valid line": expected an image reference or "SOURCE DEST TAG", found 4 fields$/m,
  );
  assert.equal(
    summaryOf(run.stdout),
    "[INFO] Validated 3 lines: 1 passed, 0 skipped, 1 failed, 1 invalid, 0 not run",
  );
  assert.equal(
    await Deno.readTextFile(`${box.dir}/failed.txt`),
    `${FAILING_LINE}\n`,
  );
});

Deno.test("-f - refuses binary standard input with one line", async () => {
  await using box = await cliSandbox();
  const stdin = ReadableStream.from([new Uint8Array([0x7f, 0x45, 0, 0])]);
  const run = await box.run(["-f", "-", "-o", `${box.dir}/failed.txt`], {
    stdin,
  });
  assert.equal(run.code, 2);
  assert.equal(
    run.stderr,
    'Error: Cannot read image list "(standard input)": it is a binary file, not a text list\n',
  );
  assert.equal(box.requests, 0);
});

Deno.test("a FIFO list is read as a stream, without seeking", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await using box = await cliSandbox();
  const fifo = `${box.dir}/list.fifo`;
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(made.success);
  const writer = (async () => {
    const file = await Deno.open(fifo, { write: true });
    await file.write(encoder.encode(`${PASSING_LINE}\n`));
    await file.write(encoder.encode(`${PASSING_LINE}\n`));
    file.close();
  })();
  const run = await box.run(["-f", fifo, "-o", `${box.dir}/failed.txt`]);
  await writer;
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  assert.equal(
    summaryOf(run.stdout),
    "[INFO] Validated 2 lines: 2 passed, 0 skipped, 0 failed, 0 invalid, 0 not run",
  );
});

function utf16(text: string, endian: "le" | "be"): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 0xfeff, endian === "le");
  for (let i = 0; i < text.length; i++) {
    view.setUint16(2 + i * 2, text.charCodeAt(i), endian === "le");
  }
  return bytes;
}

Deno.test("a UTF-16 list with a BOM is decoded, not called binary", async (t) => {
  for (const endian of ["le", "be"] as const) {
    await t.step(`UTF-16${endian.toUpperCase()}`, async () => {
      await using box = await cliSandbox();
      const list = `${box.dir}/list.txt`;
      await Deno.writeFile(
        list,
        utf16(`# mirrored\r\n${PASSING_LINE}\r\n${FAILING_LINE}\r\n`, endian),
      );
      const run = await box.run(["-f", list, "-o", `${box.dir}/failed.txt`]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /^\[INFO\] \[M_ID:1\] PASS /m);
      assert.match(
        run.stderr,
        /^\[ERRO\] \[M_ID:2\] FAILED .*: destination manifest does not exist$/m,
      );
      assert.equal(
        summaryOf(run.stdout),
        "[INFO] Validated 2 lines: 1 passed, 0 skipped, 1 failed, 0 invalid, 0 not run",
      );
      // The failed file holds the line as read, in UTF-8.
      assert.equal(
        await Deno.readTextFile(`${box.dir}/failed.txt`),
        `${FAILING_LINE}\n`,
      );
    });
  }
});

Deno.test("-f given twice exits 2 with one line before any request", async () => {
  await using box = await cliSandbox();
  await Deno.writeTextFile(`${box.dir}/a.txt`, `${PASSING_LINE}\n`);
  await Deno.writeTextFile(`${box.dir}/b.txt`, `${PASSING_LINE}\n`);
  const run = await box.run([
    "-f",
    `${box.dir}/a.txt`,
    "--file",
    `${box.dir}/b.txt`,
  ]);
  assert.equal(run.code, 2);
  assert.equal(
    run.stderr,
    'Error: Cannot read two image lists "DIR/a.txt" and "DIR/b.txt": give -f once\n',
  );
  assert.equal(run.stdout, "");
  assert.equal(box.requests, 0);
});

// Run as an unprivileged user (nobody, through setpriv, when the tests run as
// root): root reads a file of mode 000.
Deno.test("an unreadable list exits 2 with one line", {
  ignore: !CAN_DROP_PRIVILEGES,
}, async () => {
  await using cli = await unprivilegedCli();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.chmod(dir, 0o777); // -o is writable: only the list is not
    await Deno.writeTextFile(`${dir}/secret.txt`, `${PASSING_LINE}\n`);
    await Deno.chmod(`${dir}/secret.txt`, 0o000);
    const result = await cli.run([
      "mirror-validate",
      "-f",
      `${dir}/secret.txt`,
      "-o",
      `${dir}/failed.txt`,
    ]);
    assert.equal(
      result.stderr,
      `Error: Cannot read image list "${dir}/secret.txt": permission denied\n`,
    );
    assert.equal(result.stdout, "");
    assert.equal(result.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
