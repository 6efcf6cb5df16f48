// `--referrers` and `--provenance` end to end. Real distribution 2.8.2
// registries (no referrers API: the referrers tag schema and cosign's tags)
// with cosign-style signature, attestation and SBOM artifacts and an OCI
// referrer present at the source and missing, equal or different at the
// destination; the same from a snapshot with the source stopped; the
// referrers API on the in-memory OCI server; BuildKit attestation entries
// with --provenance.

import assert from "node:assert/strict";
import { runCli, timeless, validatePlain } from "./support/cli_run.ts";
import { type Distribution, distributionsIn } from "./support/distribution.ts";
import {
  pushCosignAttestation,
  pushCosignSbom,
  pushCosignSignature,
  pushReferrer,
} from "./support/artifacts.ts";
import { OciRegistry, serveHandler } from "./support/oci_server.ts";
import { indexBody, pushManifest, seedImage } from "./support/seed.ts";
import { skopeoCopy } from "./support/skopeo.ts";
import type { Platform } from "../lib/types/platform.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };
const S390X: Platform = { architecture: "s390x", os: "linux" };
const REPORT_TYPE = "application/vnd.example.report.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** The artifacts of one subject index, pushed with `seed`. */
async function pushArtifacts(
  url: string,
  repository: string,
  top: string,
  amd: { digest: string; mediaType: string; size: number },
  seed: string,
  options = {},
) {
  const target = { repository, subject: top, seed };
  return {
    signature: await pushCosignSignature(url, target, options),
    attestation: await pushCosignAttestation(url, target, options),
    sbom: await pushCosignSbom(url, target, options),
    report: await pushReferrer(url, {
      repository,
      subject: amd,
      seed,
      artifactType: REPORT_TYPE,
    }, options),
  };
}

async function listIn(dir: string, name: string, lines: string[]) {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

/** The verdict lines of a run, in order. */
function verdicts(text: string): string[] {
  return text.split("\n").filter((l) => / (PASS|FAILED|SKIP) \[/.test(l));
}

Deno.test("--referrers compares signatures, attestations, SBOMs and OCI referrers on real registries", async (t) => {
  await using stack = new AsyncDisposableStack();
  const start = distributionsIn(stack);
  const src: Distribution = await start();
  const dst: Distribution = await start();
  const dir = await Deno.makeTempDir();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  const s = src.host;
  const d = dst.host;
  const image = await seedImage(
    src.url,
    { repository: "lib/signed", tag: "1" },
    {
      kind: "index",
      format: "oci",
      platforms: [AMD64, ARM64, S390X],
      seed: "signed",
    },
  );
  const amd = image.children[0]!;
  const arm = image.children[1]!;
  const at = await pushArtifacts(src.url, "lib/signed", image.digest, amd, "a");
  for (const repo of ["ok/signed", "missing/signed", "different/signed"]) {
    await skopeoCopy(`docker://${s}/lib/signed:1`, `docker://${d}/${repo}:1`);
  }
  assert.deepEqual(
    await pushArtifacts(dst.url, "ok/signed", image.digest, amd, "a"),
    at,
  );
  const other = await pushArtifacts(
    dst.url,
    "different/signed",
    image.digest,
    amd,
    "b",
  );
  // Legacy hangar: an index of the selected platforms only (another top
  // digest), with the platform's artifacts: the source index's own are not
  // there.
  await skopeoCopy(
    `docker://${s}/lib/signed:1`,
    `docker://${d}/legacy/signed:full`,
  );
  const legacy = await pushManifest(
    dst.url,
    { repository: "legacy/signed", reference: "1" },
    indexBody("oci", [amd, arm]),
    OCI_INDEX,
  );
  await pushReferrer(dst.url, {
    repository: "legacy/signed",
    subject: amd,
    seed: "a",
    artifactType: REPORT_TYPE,
  });
  const lines = [
    `${s}/lib/signed ${d}/ok/signed 1`,
    `${s}/lib/signed ${d}/missing/signed 1`,
    `${s}/lib/signed ${d}/different/signed 1`,
    `${s}/lib/signed ${d}/legacy/signed 1`,
  ];
  const list = await listIn(dir, "list.txt", lines);
  const validate = (flags: string[]) =>
    validatePlain(list, `${dir}/failed.txt`, ["-j", "1", ...flags]);
  const missingAll =
    `missing in destination: signature ${at.signature} of image; attestation ${at.attestation} of image; ` +
    `SBOM ${at.sbom} of image; artifact (${REPORT_TYPE}) ${at.report} of linux/amd64`;

  await t.step("without --referrers every exact copy passes", async () => {
    const run = await validate([]);
    assert.equal(run.code, 0, run.text);
  });

  const online = await validate([
    "--referrers",
    "--debug",
    "--report",
    `json=${dir}/report.json`,
  ]);

  await t.step(
    "artifacts present with the same digest pass with the counts",
    async () => {
      assert.match(
        online.stdout,
        new RegExp(
          `^\\[INFO\\] \\[M_ID:1\\] PASS \\[${s}/lib/signed:1\\] == \\[${d}/ok/signed:1\\]$`,
          "m",
        ),
      );
      const report = (await Deno.readTextFile(`${dir}/report.json`)).trim()
        .split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(
        report.slice(0, 4).map((r) => [r.status, r.kind, r.checks]),
        [
          ["passed", undefined, {
            referrersSource: 4,
            referrersDestination: 4,
          }],
          ["failed", "referrer-missing", {
            referrersSource: 4,
            referrersDestination: 0,
          }],
          ["failed", "referrer-missing", {
            referrersSource: 4,
            referrersDestination: 0,
          }],
          ["failed", "referrer-missing", {
            referrersSource: 4,
            referrersDestination: 1,
          }],
        ],
      );
      assert.match(
        online.stdout,
        /^\[INFO\] Referrers: 16 found at the source, 5 of them at the destination$/m,
      );
    },
  );

  await t.step(
    "artifacts missing at the destination fail referrer-missing naming type and digest",
    () => {
      assert.match(
        online.stderr,
        new RegExp(
          `^\\[ERRO\\] \\[M_ID:2\\] FAILED \\[${s}/lib/signed:1\\] => \\[${d}/missing/signed:1\\]: ${
            escape(missingAll)
          }$`,
          "m",
        ),
      );
    },
  );

  await t.step(
    "artifacts with other digests at the destination fail the same way",
    async () => {
      assert.notEqual(other.signature, at.signature);
      assert.match(
        online.stderr,
        new RegExp(
          `^\\[ERRO\\] \\[M_ID:3\\] FAILED \\[${s}/lib/signed:1\\] => \\[${d}/different/signed:1\\]: ${
            escape(missingAll)
          }$`,
          "m",
        ),
      );
      assert.equal(online.code, 1);
      assert.equal(
        await Deno.readTextFile(`${dir}/failed.txt`),
        lines.slice(1).join("\n") + "\n",
      );
    },
  );

  await t.step(
    "an index with another top digest lacks the source index's own artifacts",
    () => {
      assert.match(
        online.stderr,
        new RegExp(
          `^\\[ERRO\\] \\[M_ID:4\\] FAILED \\[${s}/lib/signed:1\\] => \\[${d}/legacy/signed:1\\]: missing in destination: signature ${at.signature} of image; attestation ${at.attestation} of image; SBOM ${at.sbom} of image$`,
          "m",
        ),
      );
      assert.match(
        online.stdout,
        new RegExp(
          `^\\[DEBU\\] \\[M_ID:4\\] referrers of image ${image.digest} \\(destination ${legacy}\\): source signature `,
          "m",
        ),
      );
    },
  );

  await t.step("--debug lists what was found on both sides", async () => {
    const run = await validate(["--referrers", "--debug"]);
    const tag = (suffix: string) =>
      `tag ${image.digest.replace(":", "-")}.${suffix}`;
    const cosign = (a: typeof at) =>
      `signature ${a.signature} (${
        tag("sig")
      }), attestation ${a.attestation} (${tag("att")}), SBOM ${a.sbom} (${
        tag("sbom")
      })`;
    const debug = run.stdout.split("\n").filter((l) =>
      l.startsWith("[DEBU] [M_ID:3] referrers of")
    );
    assert.deepEqual(debug, [
      `[DEBU] [M_ID:3] referrers of image ${image.digest}: source ${
        cosign(at)
      }; destination ${cosign(other)}`,
      `[DEBU] [M_ID:3] referrers of linux/amd64 ${amd.digest}: source artifact (${REPORT_TYPE}) ${at.report} (referrers tag schema); destination artifact (${REPORT_TYPE}) ${other.report} (referrers tag schema)`,
      `[DEBU] [M_ID:3] referrers of linux/arm64 ${arm.digest}: source none; destination none`,
    ]);
  });

  await t.step(
    "requests: one per checked digest per side, one API probe per registry, one tag list per repository",
    async () => {
      const one = await listIn(dir, "one.txt", [lines[0]!]);
      const count = async (flags: string[]) => {
        src.resetRequestCount();
        dst.resetRequestCount();
        const run = await runCli([
          "mirror-validate",
          "-f",
          one,
          "-o",
          `${dir}/one-failed.txt`,
          "--tls-verify=false",
          ...flags,
        ]);
        assert.equal(run.code, 0, run.text);
        return [
          await src.settledRequestCount(),
          await dst.settledRequestCount(),
        ];
      };
      assert.deepEqual(await count([]), [1, 1]);
      // per side: the HEAD, the top GET (destination only: identical
      // digests), 1 API probe (404), 1 tag list, 3 referrers-tag GETs (image,
      // amd64, arm64), 3 HEADs of the cosign tags found
      assert.deepEqual(await count(["--referrers"]), [
        1 + 1 + 1 + 3 + 3,
        1 + 1 + 1 + 1 + 3 + 3,
      ]);
    },
  );

  await t.step(
    "a snapshot taken with --referrers gives the online verdicts with the source stopped",
    async () => {
      const snapshot = `${dir}/source.json.gz`;
      const bare = `${dir}/bare.json.gz`;
      for (
        const [file, flags] of [[snapshot, ["--referrers"]], [
          bare,
          [],
        ]] as const
      ) {
        const taken = await runCli([
          "mirror",
          "snapshot",
          "-f",
          list,
          "-o",
          file,
          "--failed",
          `${dir}/snapshot-failed.txt`,
          "--tls-verify=false",
          ...flags,
        ]);
        assert.equal(taken.code, 0, taken.text);
      }
      await src.stop();
      const offline = await validate([
        "--referrers",
        "--source-snapshot",
        snapshot,
      ]);
      assert.equal(offline.code, online.code, offline.text);
      assert.deepEqual(verdicts(offline.text), verdicts(online.text));
      assert.match(
        offline.stdout,
        /^\[INFO\] Referrers: 16 found at the source, 5 of them at the destination$/m,
      );
      const refused = await validate([
        "--referrers",
        "--source-snapshot",
        bare,
      ]);
      assert.equal(refused.code, 2);
      assert.equal(
        refused.stderr,
        `Error: Snapshot "${bare}" was taken without --referrers: take it again with --referrers to check referrers from it\n`,
      );
    },
  );
});

Deno.test("--referrers reads the OCI 1.1 referrers API where the registry has it", async () => {
  const source = new OciRegistry({ name: "source" });
  const destination = new OciRegistry({ name: "destination" });
  const srcServer = serveHandler(source.handler);
  const dstServer = serveHandler(destination.handler);
  const dir = await Deno.makeTempDir();
  try {
    const image = await seedImage(srcServer.url, {
      repository: "lib/app",
      tag: "1",
    }, { kind: "index", format: "oci", platforms: [AMD64, ARM64] });
    await skopeoCopy(
      `docker://${srcServer.host}/lib/app:1`,
      `docker://${dstServer.host}/lib/app:1`,
    );
    await skopeoCopy(
      `docker://${srcServer.host}/lib/app:1`,
      `docker://${dstServer.host}/lib/bare:1`,
    );
    const top = {
      digest: image.digest,
      mediaType: OCI_INDEX,
      size: image.size,
    };
    const amd = image.children[0]!;
    const pushed: string[] = [];
    for (const url of [srcServer.url, dstServer.url]) {
      for (const subject of [top, amd]) {
        pushed.push(
          await pushReferrer(url, {
            repository: "lib/app",
            subject,
            artifactType: REPORT_TYPE,
            tagSchema: false,
          }),
        );
      }
    }
    assert.deepEqual(pushed.slice(0, 2), pushed.slice(2));
    const list = await listIn(dir, "list.txt", [
      `${srcServer.host}/lib/app ${dstServer.host}/lib/app 1`,
      `${srcServer.host}/lib/app ${dstServer.host}/lib/bare 1`,
    ]);
    source.resetCount();
    destination.resetCount();
    const run = timeless(
      await runCli([
        "mirror-validate",
        "-f",
        list,
        "-o",
        `${dir}/failed.txt`,
        "--tls-verify=false",
        "-j",
        "1",
        "--referrers",
        "--debug",
      ]),
    );
    assert.equal(run.code, 1, run.text);
    const via = (digest: string) =>
      `artifact (${REPORT_TYPE}) ${digest} (referrers API)`;
    assert.match(
      run.stdout,
      new RegExp(
        `^\\[DEBU\\] \\[M_ID:1\\] referrers of image ${image.digest}: source ${
          escape(via(pushed[0]!))
        }; destination ${escape(via(pushed[0]!))}$`,
        "m",
      ),
    );
    assert.match(
      run.stderr,
      new RegExp(
        `^\\[ERRO\\] \\[M_ID:2\\] FAILED \\[${srcServer.host}/lib/app:1\\] => \\[${dstServer.host}/lib/bare:1\\]: missing in destination: artifact \\(${
          escape(REPORT_TYPE)
        }\\) ${pushed[0]} of image; artifact \\(${escape(REPORT_TYPE)}\\) ${
          pushed[1]
        } of linux/amd64$`,
        "m",
      ),
    );
    assert.match(
      run.stdout,
      /^\[INFO\] Referrers: 4 found at the source, 2 of them at the destination$/m,
    );
    // Source: 2 HEADs, 1 tag list, 3 API GETs (image, amd64, arm64) for the
    // first line and none more for the second (same source digests, asked
    // again: 3 more). Destination: per line 1 HEAD, 1 top GET, 1 tag list,
    // 3 API GETs. The first API GET is the probe; no tag-schema GET follows.
    assert.deepEqual([source.requests, destination.requests], [
      2 + 1 + 3 + 3,
      2 * (1 + 1 + 1 + 3),
    ]);
  } finally {
    await srcServer.close();
    await dstServer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--provenance requires the BuildKit attestation manifests of the selected platforms", async (t) => {
  await using stack = new AsyncDisposableStack();
  const start = distributionsIn(stack);
  const src = await start();
  const dst = await start();
  const dir = await Deno.makeTempDir();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  const image = await seedImage(
    src.url,
    { repository: "lib/built", tag: "1" },
    {
      kind: "index",
      format: "oci",
      platforms: [AMD64, ARM64],
      attestations: true,
      seed: "prov",
    },
  );
  await skopeoCopy(
    `docker://${src.host}/lib/built:1`,
    `docker://${dst.host}/exact/built:1`,
  );
  // Legacy hangar: the index of the platform entries only.
  await skopeoCopy(
    `docker://${src.host}/lib/built:1`,
    `docker://${dst.host}/legacy/built:full`,
  );
  const [amd, arm, amdAtt, armAtt] = image.children;
  await pushManifest(
    dst.url,
    { repository: "legacy/built", reference: "1" },
    indexBody("oci", [amd!, arm!]),
    OCI_INDEX,
  );
  const s = src.host;
  const d = dst.host;
  const list = await listIn(dir, "list.txt", [
    `${s}/lib/built ${d}/exact/built 1`,
    `${s}/lib/built ${d}/legacy/built 1`,
  ]);
  const validate = (flags: string[]) =>
    validatePlain(list, `${dir}/failed.txt`, [
      "-j",
      "1",
      "--report",
      `json=${dir}/report.json`,
      ...flags,
    ]);
  const kinds = async () =>
    (await Deno.readTextFile(`${dir}/report.json`)).trim().split("\n")
      .map((l) => JSON.parse(l)).filter((r) => r.type === "line")
      .map((r) => `${r.status} ${r.kind ?? ""}`.trim());
  const failure =
    `^\\[ERRO\\] \\[M_ID:2\\] FAILED \\[${s}/lib/built:1\\] => \\[${d}/legacy/built:1\\]: attestation missing in destination: linux/amd64 attestation manifest ${
      amdAtt!.digest
    }; linux/arm64 attestation manifest ${armAtt!.digest}$`;

  for (const flags of [[], ["--provenance=false"]]) {
    await t.step(
      `${flags[0] ?? "no flag"}: the index without attestations passes`,
      async () => {
        const run = await validate(flags);
        assert.equal(run.code, 0, run.text);
        assert.deepEqual(await kinds(), ["passed", "passed"]);
      },
    );
  }
  for (const flags of [["--provenance"], ["--provenance=true"]]) {
    await t.step(
      `${
        flags[0]
      }: the exact copy passes, the index without attestations fails referrer-missing`,
      async () => {
        const run = await validate(flags);
        assert.equal(run.code, 1, run.text);
        assert.match(
          run.stdout,
          new RegExp(
            `^\\[INFO\\] \\[M_ID:1\\] PASS \\[${s}/lib/built:1\\] == \\[${d}/exact/built:1\\]$`,
            "m",
          ),
        );
        assert.match(run.stderr, new RegExp(failure, "m"));
        assert.deepEqual(await kinds(), ["passed", "failed referrer-missing"]);
      },
    );
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
