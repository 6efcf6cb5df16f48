// A mirror made by converting the source to the other format (Docker list to
// OCI index, as `skopeo copy --all` through an OCI layout does) against a real
// distribution registry: still a FAIL, and the reason says it is a converted
// copy, not a stale platform.

import assert from "node:assert/strict";
import { runCli, stripTime } from "./support/cli_run.ts";
import type { Platform } from "../lib/types/platform.ts";
import { startDistribution } from "./support/distribution.ts";
import { seedImage } from "./support/seed.ts";
import { skopeoCopy, skopeoInspectRaw } from "./support/skopeo.ts";
import { requireTools } from "./support/tools.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };

Deno.test("main() fails a Docker list mirrored as an OCI index and says it is a converted copy", async () => {
  await requireTools("docker-registry", "skopeo");
  const registry = await startDistribution();
  const dir = await Deno.makeTempDir();
  try {
    const host = registry.host;
    await seedImage(registry.url, { repository: "lib/app", tag: "1" }, {
      kind: "index",
      format: "docker",
      platforms: [AMD64, ARM64],
      seed: "conv",
    });
    // Through an OCI layout: every manifest is rewritten, so every digest changes.
    const converting = { preserveDigests: false };
    await skopeoCopy(
      `docker://${host}/lib/app:1`,
      `oci:${dir}/layout:app`,
      converting,
    );
    await skopeoCopy(
      `oci:${dir}/layout:app`,
      `docker://${host}/conv/app:1`,
      converting,
    );
    const raw = JSON.parse(
      new TextDecoder().decode(await skopeoInspectRaw(`${host}/conv/app:1`)),
    );
    assert.equal(raw.mediaType, "application/vnd.oci.image.index.v1+json");

    await Deno.writeTextFile(
      `${dir}/list`,
      `${host}/lib/app ${host}/conv/app 1\n`,
    );
    const { code, stdout, stderr } = await runCli([
      "mirror-validate",
      "-f",
      `${dir}/list`,
      "--tls-verify=false",
      "-o",
      `${dir}/failed`,
    ]);
    assert.equal(code, 1, stderr);
    const failed = stderr.split("\n").filter((l) => l.includes(" FAILED "))
      .map(stripTime);
    assert.deepEqual(failed, [
      `[ERRO] [M_ID:1] FAILED [${host}/lib/app:1] => [${host}/conv/app:1]: destination is a converted copy (OCI index instead of Docker manifest list): every digest differs`,
    ]);
    assert.match(stderr, /\[ERRO\] \[M_ID:1\] dstSpec: \[/);
    assert.match(
      stdout,
      /Validated 1 line in \S+: 0 passed, 0 skipped, 1 failed/,
    );

    // The same verdict from a snapshot of the source.
    const snapshot = await runCli([
      "mirror-snapshot",
      "-f",
      `${dir}/list`,
      "--tls-verify=false",
      "-o",
      `${dir}/source.json`,
      "--failed",
      `${dir}/snapshot-failed`,
    ]);
    assert.equal(snapshot.code, 0, snapshot.text);
    const offline = await runCli([
      "mirror-validate",
      "-f",
      `${dir}/list`,
      "--tls-verify=false",
      "-o",
      `${dir}/failed`,
      "--source-snapshot",
      `${dir}/source.json`,
    ]);
    assert.equal(offline.code, 1);
    assert.equal(stripTime(offline.stderr), stripTime(stderr));
  } finally {
    await registry.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
