// A list that breaks off while it is read: the lines read before are
// validated and reported, the run says the list could not be read to its
// end and exits 2, and the reports are complete files (no temporary file
// left behind).

import assert from "node:assert/strict";
import { runCli, stripTime } from "./support/cli_run.ts";

Deno.test("main() reports the lines read before the list broke off, says so, and exits 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let sent = false;
    const stdin = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(new Error("the disk went away"));
        else {
          sent = true;
          controller.enqueue(new TextEncoder().encode("bad:line:\n"));
        }
      },
    });
    const run = await runCli([
      "mirror-validate",
      "-f",
      "-",
      "-d",
      "127.0.0.1:1",
      "-o",
      `${dir}/failed.txt`,
      "--report",
      `json=${dir}/report.json`,
    ], { stdin });
    assert.equal(run.code, 2, run.text);
    assert.match(
      stripTime(run.stderr),
      /^\[ERRO\] Cannot read image list "\(standard input\)" to its end: the disk went away$/m,
    );
    assert.match(
      run.stdout,
      /Validated 1 line in \S+: 0 passed, 0 skipped, 0 failed, 1 invalid/,
    );
    const report = (await Deno.readTextFile(`${dir}/report.json`)).trim()
      .split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(report.map((o) => o.type), ["line", "summary"]);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["report.json"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() finishes the images in flight when the list breaks off", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let broke = () => {};
    const broken = new Promise<void>((resolve) => (broke = resolve));
    let sent = false;
    const stdin = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) {
          controller.error(new Error("the disk went away"));
          broke();
        } else {
          sent = true;
          controller.enqueue(new TextEncoder().encode("nginx:1\n"));
        }
      },
    });
    // The registry answers only after the list broke off: the image is in
    // flight when it does.
    const fetch = async (request: Request) => {
      await broken;
      await request.body?.cancel();
      return new Response(null, { status: 404 });
    };
    const run = await runCli([
      "mirror-validate",
      "-f",
      "-",
      "-d",
      "reg.example",
      "-o",
      `${dir}/failed.txt`,
    ], { stdin, fetch });
    assert.equal(run.code, 2, run.text);
    assert.match(
      run.stderr,
      /\[M_ID:1\] FAILED \[docker\.io\/library\/nginx:1\]/,
    );
    assert.match(
      run.stdout,
      /Validated 1 line in \S+: 0 passed, 0 skipped, 1 failed, 0 invalid/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/failed.txt`), "nginx:1\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
