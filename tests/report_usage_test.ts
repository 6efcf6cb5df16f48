// Bad --report, --shard and --shards values, and hangar's copy-only flags,
// through the CLI: each is one usage error line, exit 2, before any request
// (the fetch counts calls and throws), and no report file is left behind.

import assert from "node:assert/strict";
import { runCli } from "./support/cli_run.ts";

/** A run whose fetch must never be called; the directory shown as DIR. */
async function refused(flags: string[], env: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir();
  let requests = 0;
  try {
    await Deno.writeTextFile(
      `${dir}/list`,
      "src.test/lib/app dst.test/lib/app 1\n",
    );
    await Deno.mkdir(`${dir}/sub`);
    const run = await runCli([
      ...["mirror-validate", "-f", `${dir}/list`, "-o", `${dir}/failed`],
      ...flags.map((flag) => flag.replaceAll("DIR", dir)),
    ], {
      env,
      fetch: () => {
        requests++;
        throw new Error("no request may be made");
      },
    });
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    return {
      code: run.code,
      stdout: run.stdout,
      stderr: run.stderr.replaceAll(dir, "DIR"),
      requests,
      left,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CASES: [string, string[], string, Record<string, string>?][] = [
  [
    "an unknown report format",
    ["--report", "xml=DIR/r.xml"],
    'Invalid --report "xml=DIR/r.xml": unknown format "xml" (use json, junit or markdown)',
  ],
  [
    "a report without =FILE",
    ["--report", "json"],
    'Invalid --report "json": expected FORMAT=FILE, e.g. json=report.json or junit=-',
  ],
  [
    "an empty report file",
    ["--report", "json="],
    'Invalid --report "json=": no file after "=" (use - for standard output)',
  ],
  [
    "a report in a directory that does not exist",
    ["--report", "json=DIR/none/r.json"],
    'Cannot write report "DIR/none/r.json": directory "DIR/none" does not exist',
  ],
  [
    "a report where no file can be created",
    ["--report", "json=/sys/r.json"],
    'Cannot write report "/sys/r.json": not writable: permission denied',
  ],
  [
    "a report path that is a directory",
    ["--report", "junit=DIR/sub"],
    'Cannot write report "DIR/sub": it is a directory',
  ],
  [
    "a report on the failed file",
    ["--report", "json=DIR/failed"],
    'Cannot write report "DIR/failed": it is also the failed file (-o)',
  ],
  [
    "a report on the failed file, written another way",
    ["--report", "json=DIR/sub/../failed"],
    'Cannot write report "DIR/sub/../failed": it is also the failed file (-o)',
  ],
  [
    "a report on the image list",
    ["--report", "markdown=DIR/./list"],
    'Cannot write report "DIR/./list": it is the image list given to -f',
  ],
  [
    "a report on the snapshot it reads",
    ["--source-snapshot", "DIR/snap.json", "--report", "json=DIR/snap.json"],
    'Cannot write report "DIR/snap.json": it is the snapshot given to --source-snapshot',
  ],
  [
    "the same report path twice",
    ["--report", "json=DIR/r", "--report", "junit=DIR/sub/../r"],
    'Cannot write report "DIR/sub/../r": given twice',
  ],
  [
    "two reports on standard output",
    ["--report", "json=-", "--report", "junit=-"],
    "Only one --report can go to standard output (-)",
  ],
  [
    "--shard 0/3",
    ["--shard", "0/3"],
    'Invalid --shard "0/3": the shard must be 1 to 3',
  ],
  [
    "--shard 4/3",
    ["--shard", "4/3"],
    'Invalid --shard "4/3": the shard must be 1 to 3',
  ],
  [
    "--shard a/b",
    ["--shard", "a/b"],
    'Invalid --shard "a/b": expected I/N with whole numbers, e.g. 1/3',
  ],
  [
    "--shard 1/0",
    ["--shard", "1/0"],
    'Invalid --shard "1/0": the number of shards must be at least 1',
  ],
  [
    "--shard with --shards",
    ["--shard", "1/3", "--shards", "3"],
    "Give --shard I/N or --shards N (with JOB_COMPLETION_INDEX), not both",
    { JOB_COMPLETION_INDEX: "0" },
  ],
  [
    "--shards without JOB_COMPLETION_INDEX",
    ["--shards", "3"],
    "--shards needs the shard index: JOB_COMPLETION_INDEX is not set (use --shard I/N outside a Kubernetes Indexed Job)",
  ],
  [
    "--shards with an index out of range",
    ["--shards", "3"],
    'Invalid JOB_COMPLETION_INDEX "3" for --shards 3: expected 0 to 2',
    { JOB_COMPLETION_INDEX: "3" },
  ],
  [
    "--shards 0",
    ["--shards", "0"],
    'Invalid --shards "0": expected a whole number of at least 1',
    { JOB_COMPLETION_INDEX: "0" },
  ],
  [
    "hangar's --overwrite",
    ["--overwrite"],
    "--overwrite is a flag of hangar mirror (copying): a validation never writes to a registry",
  ],
  [
    "hangar's --remove-signatures",
    ["--remove-signatures=true"],
    "--remove-signatures is a flag of hangar mirror (copying); to check that signatures were copied, use --referrers",
  ],
  [
    "hangar's --sigstore-private-key",
    ["--sigstore-private-key", "DIR/key"],
    "--sigstore-private-key signs while copying; verify signatures with cosign or hangar sign validate, and check they were mirrored with --referrers",
  ],
  [
    "hangar's --sigstore-passphrase-file",
    ["--sigstore-passphrase-file", "DIR/pass"],
    "--sigstore-passphrase-file goes with --sigstore-private-key, which this command does not take (see --referrers)",
  ],
  [
    "a --provenance that is not a boolean",
    ["--provenance=maybe"],
    'Invalid --provenance "maybe": use true or false',
  ],
];

for (const [what, flags, message, env] of CASES) {
  Deno.test(`mirror-validate refuses ${what}: one usage error, exit 2, no request`, async () => {
    const run = await refused(flags, env);
    assert.deepEqual(run, {
      code: 2,
      stdout: "",
      stderr: `Error: ${message}\n`,
      requests: 0,
      left: ["list", "sub"],
    });
  });
}
