// checkDeep() on hand-built manifests: foreign (non-distributable) layers
// with URLs are not required, every other blob is, and each (registry,
// repository, digest) is asked once per run.

import assert from "node:assert/strict";
import { BlobChecks, checkDeep } from "../lib/verdict/deep_check.ts";
import type { ManifestSource } from "../lib/verdict/source.ts";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
const LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

function image(layers: { digest: string; urls?: string[] }[]) {
  return {
    digest: digest("1"),
    platform: { architecture: "amd64", os: "windows" },
    manifest: {
      kind: "image" as const,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: digest("c"),
        size: 10,
      },
      layers: layers.map((l) => ({
        mediaType: l.urls ? FOREIGN : LAYER,
        size: 100,
        ...l,
      })),
    },
  };
}

function destination(present: string[]): ManifestSource & { heads: string[] } {
  const heads: string[] = [];
  return {
    heads,
    resolveManifest: () => Promise.reject(new Error("unused")),
    getManifest: () => Promise.reject(new Error("unused")),
    getBlob: () => Promise.reject(new Error("unused")),
    blobExists: (_repository, blob) => {
      heads.push(blob);
      return Promise.resolve(present.includes(blob));
    },
  };
}

const ref = { registry: "r.io", repository: "win/app", tag: "1" };
const selection = { architectures: ["amd64"], oses: ["windows"] };

Deno.test("checkDeep() does not require a foreign layer with URLs and asks nothing about it", async () => {
  const dst = destination([digest("c"), digest("a")]);
  const result = await checkDeep(
    dst,
    ref,
    image([
      { digest: digest("f"), urls: ["https://mcr.microsoft.com/x"] },
      { digest: digest("a") },
    ]),
    { registry: "r.io", selection, blobs: new BlobChecks() },
  );
  assert.equal(result.verdict, undefined);
  assert.deepEqual(result.checks, {
    manifestsRead: 0,
    blobsChecked: 2,
    blobsSeen: 0,
    blobsForeign: 1,
  });
  assert.deepEqual(dst.heads.sort(), [digest("a"), digest("c")].sort());
});

Deno.test("checkDeep() fails blob-missing naming platform, role, digest, media type and size", async () => {
  const dst = destination([digest("c")]);
  const result = await checkDeep(dst, ref, image([{ digest: digest("a") }]), {
    registry: "r.io",
    selection,
    blobs: new BlobChecks(),
  });
  assert.deepEqual(result.verdict, {
    status: "failed",
    kind: "blob-missing",
    reason: `destination is missing a blob: windows/amd64 layer ${
      digest("a")
    } (${LAYER}, 100 bytes)`,
  });
});

Deno.test("checkDeep() asks once per repository and digest in a run", async () => {
  const dst = destination([digest("c"), digest("a")]);
  const blobs = new BlobChecks();
  const options = { registry: "r.io", selection, blobs };
  const first = await checkDeep(
    dst,
    ref,
    image([{ digest: digest("a") }]),
    options,
  );
  const second = await checkDeep(
    dst,
    ref,
    image([{ digest: digest("a") }]),
    options,
  );
  assert.equal(first.checks.blobsChecked, 2);
  assert.equal(second.checks.blobsChecked, 0);
  assert.equal(second.checks.blobsSeen, 2);
  assert.equal(dst.heads.length, 2);
});
