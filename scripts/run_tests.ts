/**
 * Runs every test: installs the Debian packages the integration tests need when
 * they are missing (as root, with apt-get), then runs `deno test` over the tests
 * and the documentation examples, and ends with a plain
 * `tests: N passed, N failed, N skipped` line (skipped: tests marked ignore,
 * e.g. those that need a tool this machine lacks).
 *
 * Usage: deno task test [extra deno test args]
 */

import { hasTool } from "../tests/support/tools.ts";

const PACKAGES: Record<string, string> = {
  "docker-registry": "docker-registry",
  skopeo: "skopeo",
  htpasswd: "apache2-utils",
  openssl: "openssl",
  curl: "curl",
  setpriv: "util-linux",
  tinyproxy: "tinyproxy",
};

async function apt(args: string[]): Promise<void> {
  const root = Deno.uid() === 0;
  const status = await new Deno.Command(root ? "apt-get" : "sudo", {
    args: root ? args : ["apt-get", ...args],
    stdin: "null",
    env: { DEBIAN_FRONTEND: "noninteractive" },
  }).spawn().status;
  if (!status.success) {
    throw new Error(
      `Command "apt-get ${args.join(" ")}" failed: exit ${status.code}`,
    );
  }
}

const missing: string[] = [];
for (const [tool, pkg] of Object.entries(PACKAGES)) {
  if (!(await hasTool(tool)) && !missing.includes(pkg)) missing.push(pkg);
}
if (missing.length > 0) {
  console.log(`Installing Debian packages: ${missing.join(" ")}`);
  await apt(["update", "-qq"]);
  await apt(["install", "-y", "-qq", "--no-install-recommends", ...missing]);
}

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "test",
    "-A",
    "--doc",
    "--parallel",
    ...(Deno.args.length ? Deno.args : ["mod.ts", "cli.ts", "lib/", "tests/"]),
  ],
  stdout: "piped",
  stderr: "inherit",
  env: { NO_COLOR: "1" },
}).spawn();

let tail = "";
const decoder = new TextDecoder();
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
}
const status = await child.status;
const summary = tail.match(
  /(ok|FAILED) \| (\d+) passed[^|]*\| (\d+) failed(?:[^|]*\| (\d+) ignored)?/,
);
if (summary) {
  const [, , passed, failed, ignored = "0"] = summary;
  console.log(
    `\ntests: ${passed} passed, ${failed} failed, ${ignored} skipped`,
  );
}
Deno.exit(status.code);
