// `hangar completions bash|zsh|fish`: the bash script is sourced in a real
// bash and its completion function asked for candidates, as bash does on
// TAB; the zsh and fish scripts are syntax-checked when those shells exist.

import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { runCli } from "./support/cli_run.ts";
import { hasTool } from "./support/tools.ts";
import { completionScript } from "../lib/cli/completions.ts";
import { validateCommand } from "../lib/cli/validate_command.ts";

/** The candidates bash's completion function offers for `words` (last = current). */
async function complete(script: string, words: string[]): Promise<string[]> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/completion.bash`, script);
    await Deno.mkdir(`${dir}/certs`);
    await Deno.writeTextFile(`${dir}/list.txt`, "");
    const program = [
      `source ${dir}/completion.bash`,
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")})`,
      `COMP_CWORD=${words.length - 1}`,
      `cd ${dir}`,
      `$(complete -p ${words[0]} | sed -E 's/.*-F ([^ ]+).*/\\1/')`,
      `printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join("\n");
    const out = await new Deno.Command("bash", {
      args: ["--norc", "--noprofile", "-c", program],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(out.stderr), "");
    return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function script(shell: string): Promise<string> {
  const run = await runCli(["completions", shell]);
  assert.equal(run.code, 0, run.text);
  assert.equal(run.stderr, "");
  return run.stdout;
}

Deno.test("bash completes `hangar mirror-validate --` with every long flag of the command", async () => {
  const candidates = await complete(await script("bash"), [
    "hangar",
    "mirror-validate",
    "--",
  ]);
  const longs = validateCommand("mirror-validate").options
    .map((option) => option.long).filter((long) => long !== undefined);
  assert.deepEqual(candidates, [...longs, "--help"]);
  for (const flag of ["--file", "--jobs", "--tls-verify", "--failed"]) {
    assert(candidates.includes(flag), flag);
  }
  assert(!candidates.includes("--bogus"));
});

Deno.test("bash completes commands, subcommands and the shells of `completions`", async () => {
  const bash = await script("bash");
  const top = await complete(bash, ["hangar", "mirror-v"]);
  assert.deepEqual(top, ["mirror-validate"]);
  const sub = await complete(bash, ["hangar", "mirror", "val"]);
  assert.deepEqual(sub, ["validate"]);
  const shells = await complete(bash, ["hangar", "completions", ""]);
  assert.deepEqual(shells, ["bash", "zsh", "fish"]);
});

Deno.test("bash completes file names after -f and only directories after --cert-dir", async () => {
  const bash = await script("bash");
  assert.deepEqual(
    await complete(bash, ["hangar", "mirror", "validate", "-f", "li"]),
    ["list.txt"],
  );
  assert.deepEqual(
    await complete(bash, ["hangar", "mirror-validate", "--cert-dir", ""]),
    ["certs"],
  );
  // an option's value is not taken for a command: `-d mirror` stays a value
  assert.deepEqual(
    await complete(bash, ["hangar", "mirror-validate", "-d", "mirror", "--jo"]),
    ["--jobs"],
  );
});

Deno.test("a flag added to a command is completed without changing the generator", async () => {
  const program = new Command("hangar");
  program.addCommand(
    validateCommand("mirror-validate").option("--brand-new <file>", "new"),
  );
  const candidates = await complete(completionScript(program, "bash"), [
    "hangar",
    "mirror-validate",
    "--brand",
  ]);
  assert.deepEqual(candidates, ["--brand-new"]);
});

Deno.test("`hangar completions tcsh` is one usage line and exit status 2", async () => {
  const run = await runCli(["completions", "tcsh"]);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  assert.equal(
    run.stderr,
    'Error: Command-argument value "tcsh" is invalid for argument "shell": allowed choices are bash, zsh, fish\n',
  );
});

for (const shell of ["zsh", "fish"]) {
  const installed = await hasTool(shell);
  Deno.test({
    name: `the ${shell} script is valid ${shell} syntax${
      installed ? "" : ` (skipped: ${shell} is not installed)`
    }`,
    ignore: !installed,
    fn: async () => {
      const text = await script(shell);
      const file = await Deno.makeTempFile({ suffix: `.${shell}` });
      try {
        await Deno.writeTextFile(file, text);
        const out = await new Deno.Command(shell, {
          args: ["-n", file],
          stderr: "piped",
        }).output();
        assert.equal(new TextDecoder().decode(out.stderr), "");
        assert.equal(out.code, 0);
      } finally {
        await Deno.remove(file);
      }
    },
  });
}

Deno.test("the zsh and fish scripts name every command and flag of the tree", async () => {
  const zsh = await script("zsh");
  assert(zsh.startsWith("#compdef hangar\n"));
  assert(zsh.includes("bashcompinit"));
  assert(zsh.includes('"mirror validate") words=""'));
  const fish = await script("fish");
  assert(fish.includes(
    "complete -c hangar -n '__hangar_at \\'mirror-validate\\'' -s f -l file -r -F",
  ));
  assert(fish.includes(
    "complete -c hangar -n '__hangar_at \\'\\'' -a 'mirror-validate",
  ));
});
