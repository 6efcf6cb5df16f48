// The snapshot file and its two sides: the recorder keeps what the source
// answered (content facts, not failures of the moment), the reader verifies
// every body and answers as the source did, and the file is written
// atomically and refused when it cannot be trusted.

import assert from "node:assert/strict";
import { RegistryError, UsageError } from "../lib/errors.ts";
import { SnapshotRecorder } from "../lib/sources/snapshot_recorder.ts";
import { SnapshotSource } from "../lib/sources/snapshot_source.ts";
import {
  checkSnapshotTarget,
  readSnapshotFile,
  writeSnapshotFile,
} from "../lib/sources/snapshot_file.ts";
import { runSnapshot } from "../lib/run/snapshot_run.ts";
import { sha256Digest } from "../lib/types/digest.ts";
import type { ManifestSource } from "../lib/verdict/source.ts";

const TEXT = new TextEncoder();
const INDEX = "application/vnd.oci.image.index.v1+json";

async function recorded() {
  const body = TEXT.encode('{"schemaVersion":2,"manifests":[]}');
  const binary = new Uint8Array([0xff, 0x00, 0x80]);
  const digest = await sha256Digest(body);
  const binaryDigest = await sha256Digest(binary);
  const recorder = new SnapshotRecorder({
    selection: { architectures: ["amd64", "arm64"], oses: ["linux"] },
    createdBy: "test",
    now: () => new Date("2026-11-30T00:00:00Z"),
  });
  const source: ManifestSource = {
    resolveManifest: (_repository, reference) => {
      if (reference === "gone") {
        return Promise.reject(new RegistryError("missing", "manifest unknown"));
      }
      if (reference === "flaky") {
        return Promise.reject(new RegistryError("network", "connection reset"));
      }
      return Promise.resolve({ digest, mediaType: INDEX });
    },
    getManifest: () => Promise.resolve({ digest, mediaType: INDEX, body }),
    getBlob: () => Promise.resolve(binary),
  };
  const client = recorder.wrap("r.io", source);
  await client.resolveManifest("a/b", "1");
  await client.getManifest("a/b", digest);
  await client.getBlob("a/b", binaryDigest);
  await assert.rejects(client.resolveManifest("a/b", "gone"));
  await assert.rejects(client.resolveManifest("a/b", "flaky"));
  return { snapshot: recorder.snapshot(), digest, binaryDigest, body, binary };
}

Deno.test("the recorder keeps answers and content failures, not failures of the moment", async () => {
  const { snapshot, digest, binaryDigest } = await recorded();
  assert.deepEqual(snapshot.images, {
    "r.io/a/b:1": digest,
    "r.io/a/b:gone": "error: missing",
  });
  assert.deepEqual(Object.keys(snapshot.answers), [
    `blob r.io/a/b ${binaryDigest}`,
    `manifest r.io/a/b ${digest}`,
    "resolve r.io/a/b 1",
    "resolve r.io/a/b gone",
  ]);
  assert.deepEqual(snapshot.bodies[binaryDigest], { base64: "/wCA" });
  assert.equal(snapshot.createdAt, "2026-11-30T00:00:00.000Z");
});

Deno.test("the reader answers as the source did and names what it does not hold", async () => {
  const { snapshot, digest, binaryDigest, body, binary } = await recorded();
  const client = new SnapshotSource(snapshot, "s.json").client("r.io");
  assert.deepEqual(await client.resolveManifest("a/b", "1"), {
    digest,
    mediaType: INDEX,
  });
  assert.deepEqual((await client.getManifest("a/b", digest)).body, body);
  assert.deepEqual(await client.getBlob("a/b", binaryDigest), binary);
  await assert.rejects(client.resolveManifest("a/b", "gone"), {
    kind: "missing",
    message: "manifest unknown",
  });
  await assert.rejects(client.resolveManifest("a/b", "flaky"), {
    kind: "not-in-snapshot",
    message: '"r.io/a/b:flaky" is not in the snapshot "s.json"',
  });
  const other = new SnapshotSource(snapshot, "s.json").client("other.io");
  await assert.rejects(other.resolveManifest("a/b", "1"), {
    kind: "not-in-snapshot",
  });
});

Deno.test("coverage compares normalised platform names", async () => {
  const { snapshot } = await recorded();
  const source = new SnapshotSource(snapshot, "s.json");
  assert.equal(
    source.coverageProblem({ architectures: ["aarch64"], oses: ["Linux"] }),
    undefined,
  );
  assert.equal(
    source.coverageProblem({ architectures: ["amd64"], oses: ["windows"] }),
    'Snapshot "s.json" was taken for -a amd64,arm64 --os linux: it does not cover --os windows',
  );
});

Deno.test("a snapshot file round-trips, plain and gzip, and every bad file is one usage error", async () => {
  const { snapshot } = await recorded();
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["s.json", "s.json.gz"]) {
      const written = await writeSnapshotFile(`${dir}/${name}`, snapshot);
      assert.deepEqual(
        await readSnapshotFile(`${dir}/${name}`, { digest: written.digest }),
        snapshot,
      );
    }
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["s.json", "s.json.gz"],
      "no temporary file is left",
    );
    const full = await Deno.readFile(`${dir}/s.json.gz`);
    const json = await Deno.readTextFile(`${dir}/s.json`);
    const cases: [string, Uint8Array | string, string][] = [
      ["empty.json", "", "file is empty"],
      ["cut.json", json.slice(0, 100), "not JSON (truncated or damaged?)"],
      ["cut.json.gz", full.slice(0, 40), "gzip data is damaged or truncated"],
      ["array.json", "[]", "not a JSON object"],
      [
        "kind.json",
        '{"kind":"x"}',
        'kind is "x", not "hangar.mirror-snapshot"',
      ],
      [
        "newer.json",
        json.replace('"schemaVersion": 1', '"schemaVersion": 2'),
        "schema version 2 is newer than 1: update hangar",
      ],
      [
        "answer.json",
        json.replace('"kind": "missing"', '"kind": "boom"'),
        'answer "resolve r.io/a/b gone" is malformed',
      ],
      [
        "body.json",
        json.replace('"base64": "/wCA"', '"base64": "/wCB"'),
        `body "${
          Object.entries(snapshot.bodies).find(([, b]) => b.base64)![0]
        }" does not match its digest (changed?)`,
      ],
    ];
    for (const [name, content, problem] of cases) {
      const path = `${dir}/${name}`;
      if (typeof content === "string") await Deno.writeTextFile(path, content);
      else await Deno.writeFile(path, content);
      await assert.rejects(
        readSnapshotFile(path),
        new UsageError(`Cannot use snapshot "${path}": ${problem}`),
        name,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a snapshot target must be a regular file in an existing directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [path, reason] of [
        ["/dev/null", "not a regular file"],
        [dir, "it is a directory"],
        [`${dir}/no/s.json`, `directory "${dir}/no": no such file`],
        ["-", "give a file name"],
      ]
    ) {
      await assert.rejects(
        checkSnapshotTarget(path!),
        new UsageError(`Cannot write snapshot "${path}": ${reason}`),
      );
    }
    await checkSnapshotTarget(`${dir}/new.json`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an interrupted snapshot run leaves the old snapshot unchanged", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/s.json`, "the old snapshot");
    const interrupt = new AbortController();
    interrupt.abort();
    const result = await runSnapshot({
      list: new Blob(["r.io/a/b:1\n"]).stream(),
      listOptions: { destination: "d.io" },
      clients: () => {
        throw new Error("no request after an interrupt");
      },
      architectures: ["amd64"],
      oses: ["linux"],
      failedFile: `${dir}/failed.txt`,
      snapshotFile: `${dir}/s.json`,
      createdBy: "test",
      signal: interrupt.signal,
    }, { onResult: () => {}, onSummary: () => {} });
    assert.equal(result.code, 130);
    assert.equal(result.notWritten, "interrupted");
    assert.equal(await Deno.readTextFile(`${dir}/s.json`), "the old snapshot");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
