// The fast parser against commander: for every command line it accepts, the
// flags are exactly what the real commander program's action receives; the
// command lines it must leave to commander (help, version, errors,
// suggestions, anything unusual) it declines.

import assert from "node:assert/strict";
import { hangarProgram } from "../lib/cli/commander_program.ts";
import { fastCommand } from "../lib/cli/fast_args.ts";
import type { CliIo } from "../lib/cli/io.ts";

/** The flags commander's action receives for `args`, or why it did not run. */
async function commanderParse(
  args: string[],
): Promise<{ command: string; flags: unknown } | { error: string }> {
  let seen: { command: string; flags: unknown } | undefined;
  let printed = "";
  const io = {
    stdout: (text: string) => (printed += text),
    stderr: (text: string) => (printed += text),
    env: {},
  } as unknown as CliIo;
  const program = hangarProgram(io, "0.1.0", {
    validate: (flags) => {
      seen = { command: "validate", flags };
      return Promise.resolve();
    },
    snapshot: (flags) => {
      seen = { command: "snapshot", flags };
      return Promise.resolve();
    },
    done: () => {},
  });
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    return { error: String(error) };
  }
  if (printed !== "" || seen === undefined) return { error: printed };
  return seen;
}

const V = ["mirror-validate", "-f", "l.txt"];
const S = ["mirror", "snapshot", "-f", "l.txt", "-o", "s.json"];

/** Command lines the fast parser must accept, with commander's flags. */
const ACCEPTED: string[][] = [
  V,
  ["mirror", "validate", "-f", "l.txt"],
  ["mirror-validate", "--file", "l.txt"],
  ["mirror-validate", "--file=l.txt"],
  ["mirror-validate", "-fl.txt"],
  ["mirror-validate", "-f", "-"],
  [...V, "-j", "5"],
  [...V, "-j5"],
  [...V, "--jobs", "7"],
  [...V, "--jobs=7"],
  [...V, "-j=5"],
  [...V, "-j", "3", "-j", "9"],
  [...V, "--jobs="],
  [...V, "-s", "src.io", "-d", "dst.io:5000"],
  [...V, "--source=src.io", "--destination", "dst.io"],
  [...V, "-a", "amd64", "--os", "linux"],
  [...V, "--arch=arm64,s390x", "--os=windows"],
  [...V, "-o", "out.txt"],
  [...V, "-o", "-"],
  [...V, "-o", "--debug"],
  [...V, "--output", "x", "--failed", "y"],
  [...V, "--tls-verify"],
  [...V, "--tls-verify", "false"],
  [...V, "--tls-verify=false"],
  [...V, "--tls-verify", "-"],
  [...V, "--tls-verify", "--debug"],
  [...V, "--tls-verify", "-j", "4"],
  ["mirror-validate", "--tls-verify", "-f", "l.txt"],
  [...V, "--tls-verify", "0"],
  [...V, "--src-tls-verify", "--dest-tls-verify", "false"],
  [...V, "--dest-tls-verify=1", "--src-tls-verify=0"],
  [...V, "--cert-dir", "/certs"],
  [...V, "--debug"],
  [...V, "--debug", "--debug"],
  [...V, "--default-project", ""],
  [...V, "--default-project=team", "--source-project", "a"],
  [...V, "--destination-project", "b"],
  [...V, "--timeout", "30s"],
  [...V, "--source-snapshot", "s.json.gz", "--source-snapshot-digest", "x"],
  [...V, "--source-layout", "/layout"],
  [...V, "--deep", "--referrers"],
  [...V, "--provenance"],
  [...V, "--provenance", "true"],
  [...V, "--report", "json=a.json"],
  [...V, "--report", "json=a.json", "--report=junit=-", "--report", "m=b"],
  [...V, "-q"],
  [...V, "--quiet", "--hide-log-time", "--skip-login"],
  [...V, "--shard", "1/3"],
  [...V, "--shards", "4"],
  [...V, "--overwrite", "--remove-signatures", "false"],
  [...V, "--sigstore-private-key", "k", "--sigstore-passphrase-file", "p"],
  ["mirror-validate", "-j", "2", "-f", "l.txt", "-d", "r.io"],
  [...V, "-d", "mirror"],
  S,
  ["mirror-snapshot", "-f", "l.txt", "-o", "s.json"],
  ["mirror-snapshot", "--file=l.txt", "--output=s.json.gz"],
  [...S, "--failed", "f.txt", "-j4", "--tls-verify", "false"],
  [...S, "-s", "a.io", "-d", "b.io", "-a", "amd64", "--os", "linux"],
  [...S, "--src-tls-verify", "--cert-dir", "c", "--debug", "--deep"],
  [...S, "--referrers", "--default-project", "x", "--timeout", "0"],
  [...S, "--source-project", "p", "--destination-project", "q"],
];

/** Command lines commander must handle: the fast parser declines them. */
const DECLINED: string[][] = [
  [],
  ["mirror-validate"],
  ["mirror-snapshot", "-f", "l.txt"],
  ["mirror"],
  ["mirror", "copy", "-f", "l.txt"],
  ["validate", "-f", "l.txt"],
  ["login", "r.io", "-u", "u", "-p", "p"],
  ["completions", "bash"],
  ["help", "mirror-validate"],
  ["--version"],
  ["-v"],
  [...V, "-v"],
  [...V, "-j", "-v"],
  [...V, "-o", "-version.txt"],
  ["--help"],
  [...V, "--help"],
  [...V, "-h"],
  [...V, "-o", "--help"],
  [...V, "--tls-verfy"],
  [...V, "--bogus"],
  [...V, "--Debug"],
  [...V, "--no-debug"],
  [...V, "--debug=true"],
  [...V, "-f", "other.txt"],
  [...V, "--file=other.txt"],
  ["mirror-validate", "-f"],
  [...V, "-j"],
  [...V, "--report"],
  [...V, "--"],
  ["mirror-validate", "--", "-f", "l.txt"],
  [...V, "extra"],
  [...V, ""],
  ["-j", "5", ...V],
  [...V, "-qj5"],
  [...V, "-qd", "r.io"],
  [...V, "-x"],
  [...V, "-xyz"],
  [...V, "--tls-verify", "-1"],
  [...V, "-1"],
  [...S, "--provenance"],
  [...S, "--report", "json=a"],
  [...S, "-q"],
  ["mirror", "snapshot", "-f", "l.txt"],
  ["mirror", "validate", "validate", "-f", "l.txt"],
];

for (const args of ACCEPTED) {
  Deno.test(`fastCommand() gives commander's flags for: ${args.join(" ")}`, async () => {
    const expected = await commanderParse(args);
    assert(
      !("error" in expected),
      `commander refused: ${JSON.stringify(expected)}`,
    );
    const fast = fastCommand(args);
    assert(fast !== undefined, "the fast parser declined");
    assert.equal(fast.command, expected.command);
    assert.deepEqual(fast.flags, expected.flags);
  });
}

for (const args of DECLINED) {
  Deno.test(`fastCommand() leaves to commander: ${JSON.stringify(args)}`, () => {
    assert.equal(fastCommand(args), undefined);
  });
}

Deno.test("fastCommand() returns fresh objects: a default list is never shared", () => {
  const first = fastCommand(V)!;
  const second = fastCommand(V)!;
  assert(first.command === "validate" && second.command === "validate");
  assert.deepEqual(first.flags.report, []);
  assert.notEqual(first.flags.report, second.flags.report);
});
