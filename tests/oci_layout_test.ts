// An OCI image layout written by real `skopeo copy --all ... oci:DIR:REF` from
// a real registry, read as the source side: lines matched by name, blobs read
// and verified, and the same verdicts as the online source.

import assert from "node:assert/strict";
import { RegistryError, UsageError } from "../lib/errors.ts";
import { createClientFactory } from "../lib/registry/clients.ts";
import { openOciLayout } from "../lib/sources/oci_layout.ts";
import { sha256Digest } from "../lib/types/digest.ts";
import { MEDIA_TYPES } from "../lib/types/manifest.ts";
import type { Platform } from "../lib/types/platform.ts";
import { parseReference } from "../lib/types/reference.ts";
import type { ClientFactory } from "../lib/verdict/source.ts";
import { validateImage } from "../lib/verdict/validate_image.ts";
import {
  type Distribution,
  startDistribution,
} from "./support/distribution.ts";
import {
  indexBody,
  pushManifest,
  type SeededImage,
  seedImage,
} from "./support/seed.ts";
import { skopeoCopy } from "./support/skopeo.ts";
import { requireTools } from "./support/tools.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };
const SEL = { architectures: ["amd64", "arm64"], oses: ["linux"] };

interface World {
  src: Distribution;
  index: SeededImage;
  single: SeededImage;
  tmp: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A source registry with an OCI index `lib/oci-index:1` and an OCI image `lib/oci-single:1`. */
async function world(): Promise<World> {
  await requireTools("docker-registry", "skopeo");
  const src = await startDistribution();
  const tmp = await Deno.makeTempDir({ prefix: "oci_layout_test" });
  const index = await seedImage(src.url, {
    repository: "lib/oci-index",
    tag: "1",
  }, {
    kind: "index",
    format: "oci",
    platforms: [AMD64, ARM64],
    attestations: true,
    seed: "li",
  });
  const single = await seedImage(src.url, {
    repository: "lib/oci-single",
    tag: "1",
  }, {
    kind: "image",
    format: "oci",
    platform: ARM64,
    seed: "ls",
  });
  return {
    src,
    index,
    single,
    tmp,
    async [Symbol.asyncDispose]() {
      await src.stop();
      await Deno.remove(tmp, { recursive: true });
    },
  };
}

/** `skopeo copy --all docker://SRC/repo:1 oci:DIR:REF`, digests kept. */
async function toLayout(w: World, repo: string, dir: string, ref: string) {
  await skopeoCopy(`docker://${w.src.host}/${repo}:1`, `oci:${dir}:${ref}`);
}

async function kindOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e) => e);
  assert(
    error instanceof RegistryError,
    `expected a RegistryError, got ${error}`,
  );
  return `${error.kind}: ${error.message}`;
}

Deno.test("openOciLayout() finds a multi-arch index copied under a bare tag and reads it verified", async () => {
  await using w = await world();
  const dir = `${w.tmp}/layout`;
  await toLayout(w, "lib/oci-index", dir, "1");
  const layout = await openOciLayout(dir);
  assert.equal(layout.dir, dir);
  assert.equal(layout.size, 1);
  const source = layout.client(w.src.host);
  assert.deepEqual(await source.resolveManifest("lib/oci-index", "1"), {
    digest: w.index.digest,
    mediaType: MEDIA_TYPES.ociIndex,
  });
  const read = await source.getManifest("lib/oci-index", w.index.digest);
  assert.deepEqual(read, {
    digest: w.index.digest,
    mediaType: MEDIA_TYPES.ociIndex,
    body: w.index.body,
  });
  assert.deepEqual(await source.getManifest("lib/oci-index", "1"), read);
  // A child read by digest takes the media type from its own body.
  const child = w.index.children[0]!;
  const childRead = await source.getManifest("lib/oci-index", child.digest);
  assert.equal(childRead.mediaType, MEDIA_TYPES.ociManifest);
  const config = JSON.parse(new TextDecoder().decode(childRead.body)).config;
  const blob = await source.getBlob("lib/oci-index", config.digest);
  assert.equal(blob.byteLength, config.size);
  // A digest line finds the child's blob though index.json does not name it.
  assert.deepEqual(
    await source.resolveManifest("lib/oci-index", child.digest),
    childRead,
  );
  // Any registry matches a bare tag: it names no registry.
  assert.equal(
    (await layout.client("quay.io").resolveManifest("x/y", "1")).digest,
    w.index.digest,
  );
  // A manifest read by digest keeps the media type its body names.
  const docker = new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: JSON.parse(new TextDecoder().decode(childRead.body)).config,
    layers: [],
  }));
  const dockerDigest = await sha256Digest(docker);
  await Deno.writeFile(`${dir}/blobs/sha256/${dockerDigest.slice(7)}`, docker);
  assert.deepEqual(await source.getManifest("x/y", dockerDigest), {
    digest: dockerDigest,
    mediaType: MEDIA_TYPES.dockerManifest,
    body: docker,
  });
});

Deno.test("openOciLayout() finds a single image copied under a full reference, in any spelling of Docker Hub names", async () => {
  await using w = await world();
  const dir = `${w.tmp}/layout`;
  await toLayout(w, "lib/oci-single", dir, `${w.src.host}/lib/oci-single:1`);
  await toLayout(w, "lib/oci-single", dir, "nginx:1.25");
  const layout = await openOciLayout(dir);
  assert.equal(layout.size, 2);
  const expected = {
    digest: w.single.digest,
    mediaType: MEDIA_TYPES.ociManifest,
  };
  const source = layout.client(w.src.host);
  assert.deepEqual(
    await source.resolveManifest("lib/oci-single", "1"),
    expected,
  );
  for (const registry of ["docker.io", "index.docker.io", "Docker.IO"]) {
    for (const repository of ["library/nginx", "nginx"]) {
      assert.deepEqual(
        await layout.client(registry).resolveManifest(repository, "1.25"),
        expected,
      );
    }
  }
  assert.equal(
    await kindOf(source.resolveManifest("lib/other-single", "1")),
    `not-in-snapshot: "${w.src.host}/lib/other-single:1" is not in the OCI layout "${dir}"`,
  );
  assert.equal(
    await kindOf(
      layout.client("quay.io").resolveManifest("lib/oci-single", "1"),
    ),
    `not-in-snapshot: "quay.io/lib/oci-single:1" is not in the OCI layout "${dir}"`,
  );
});

Deno.test("openOciLayout() tells two images of one layout apart, a full reference winning over a bare tag", async () => {
  await using w = await world();
  const dir = `${w.tmp}/layout`;
  await toLayout(w, "lib/oci-index", dir, `${w.src.host}/lib/oci-index:1`);
  await toLayout(w, "lib/oci-single", dir, "1");
  const layout = await openOciLayout(dir);
  assert.equal(layout.size, 2);
  const source = layout.client(w.src.host);
  assert.equal(
    (await source.resolveManifest("lib/oci-index", "1")).digest,
    w.index.digest,
  );
  assert.equal(
    (await source.resolveManifest("lib/oci-single", "1")).digest,
    w.single.digest,
  );
  const missing = `sha256:${"0".repeat(64)}`;
  assert.equal(
    await kindOf(source.resolveManifest("lib/oci-index", missing)),
    `not-in-snapshot: "${w.src.host}/lib/oci-index@${missing}" is not in the OCI layout "${dir}"`,
  );
});

Deno.test("openOciLayout() matches io.containerd.image.name and refuses a bare tag naming two manifests", async () => {
  await using w = await world();
  const dir = `${w.tmp}/layout`;
  await toLayout(w, "lib/oci-index", dir, "1");
  await toLayout(w, "lib/oci-single", dir, "2");
  const indexPath = `${dir}/index.json`;
  const json = JSON.parse(await Deno.readTextFile(indexPath));
  // As `ctr export` writes: bare tags in ref.name, full names for containerd.
  json.manifests[0].annotations["io.containerd.image.name"] =
    "quay.io/a/index:1";
  json.manifests[1].annotations["org.opencontainers.image.ref.name"] = "1";
  json.manifests[1].annotations["io.containerd.image.name"] =
    "quay.io/a/single:1";
  // An entry without a name is not counted, yet found by its digest.
  const child = w.index.children[0]!;
  json.manifests.push({
    mediaType: child.mediaType,
    digest: child.digest,
    size: child.size,
  });
  await Deno.writeTextFile(indexPath, JSON.stringify(json));
  const layout = await openOciLayout(dir);
  assert.equal(layout.size, 2);
  const quay = layout.client("quay.io");
  assert.deepEqual(await quay.resolveManifest("a/index", child.digest), {
    digest: child.digest,
    mediaType: child.mediaType,
  });
  assert.equal(
    (await quay.resolveManifest("a/index", "1")).digest,
    w.index.digest,
  );
  assert.equal(
    (await quay.resolveManifest("a/single", "1")).digest,
    w.single.digest,
  );
  assert.equal(
    await kindOf(quay.resolveManifest("a/other", "1")),
    `not-in-snapshot: "quay.io/a/other:1" is ambiguous in the OCI layout "${dir}": the bare tag "1" names 2 different manifests ("${w.index.digest}", "${w.single.digest}"): name the images with full references`,
  );
});

Deno.test("openOciLayout() refuses what is not an OCI image layout with one usage error naming the directory", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "oci_layout_test" });
  try {
    const refused = async (dir: string, detail: string) => {
      await assert.rejects(
        openOciLayout(dir),
        new UsageError(`Cannot use --source-layout "${dir}": ${detail}`),
      );
    };
    await refused(`${tmp}/absent`, "directory does not exist");
    await Deno.writeTextFile(`${tmp}/file`, "x");
    await refused(`${tmp}/file`, "not a directory");
    await refused(tmp, "no index.json (not an OCI image layout)");
    await Deno.writeTextFile(`${tmp}/index.json`, '{"manifests":[]}');
    await refused(tmp, "no oci-layout (not an OCI image layout)");
    await Deno.writeTextFile(
      `${tmp}/oci-layout`,
      '{"imageLayoutVersion":"2.0.0"}',
    );
    await refused(
      tmp,
      'oci-layout has imageLayoutVersion "2.0.0", expected "1.0.0"',
    );
    await Deno.writeTextFile(`${tmp}/oci-layout`, "{}");
    await refused(
      tmp,
      'oci-layout has imageLayoutVersion missing, expected "1.0.0"',
    );
    await Deno.writeTextFile(
      `${tmp}/oci-layout`,
      '{"imageLayoutVersion":"1.0.0"}',
    );
    await Deno.writeTextFile(`${tmp}/index.json`, '{"manifests":[');
    await refused(tmp, "index.json is not JSON: Unexpected end of JSON input");
    await Deno.writeTextFile(`${tmp}/index.json`, '{"schemaVersion":2}');
    await refused(
      tmp,
      'index.json is not an OCI image index: no "manifests" array',
    );
    await Deno.writeTextFile(
      `${tmp}/index.json`,
      '{"manifests":[{"mediaType":"x","digest":"sha256:../../etc/passwd"}]}',
    );
    await refused(
      tmp,
      "index.json manifests[0] has no sha256 or sha512 digest",
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a layout blob with one byte changed, missing, too large or named by a bad digest fails with its kind", async () => {
  await using w = await world();
  const dir = `${w.tmp}/layout`;
  await toLayout(w, "lib/oci-single", dir, "1");
  const source = (await openOciLayout(dir)).client(w.src.host);
  const manifest = await source.getManifest("lib/oci-single", w.single.digest);
  const config = JSON.parse(new TextDecoder().decode(manifest.body)).config;
  const hex = (digest: string) => digest.slice("sha256:".length);
  const configPath = `${dir}/blobs/sha256/${hex(config.digest)}`;
  const bytes = await Deno.readFile(configPath);
  await assert.rejects(
    source.getBlob("r", config.digest, { maxBytes: bytes.length - 1 }),
    {
      kind: "invalid-manifest",
      message: `file "${configPath}" of the OCI layout is larger than ${
        bytes.length - 1
      } bytes`,
    },
  );
  bytes[0] = bytes[0]! ^ 1;
  await Deno.writeFile(configPath, bytes);
  const tampered = await kindOf(source.getBlob("r", config.digest));
  assert.match(
    tampered,
    new RegExp(
      `^digest-mismatch: file "${configPath}" of the OCI layout does not match its digest: content hashes to "sha256:[0-9a-f]{64}"$`,
    ),
  );
  assert.equal(
    await kindOf(source.getBlob("r", "sha256:../../../etc/passwd")),
    `invalid-manifest: digest "sha256:../../../etc/passwd" cannot be read from the OCI layout "${dir}": only sha256 and sha512 digests are supported`,
  );
  const manifestPath = `${dir}/blobs/sha256/${hex(w.single.digest)}`;
  await Deno.remove(manifestPath);
  assert.equal(
    await kindOf(source.getManifest("lib/oci-single", "1")),
    `missing: manifest "${w.single.digest}" is not in the OCI layout "${dir}": no file "${manifestPath}"`,
  );
});

/** The verdicts of `lines` (`SOURCE DEST`) with `source` as the source side. */
async function verdicts(
  lines: string[],
  source: (registry: string) => ReturnType<ClientFactory>,
): Promise<string[]> {
  const online = createClientFactory({ tlsVerify: false });
  try {
    const clients: ClientFactory = (registry, side) =>
      side === "source" ? source(registry) : online(registry, side);
    const out: string[] = [];
    for (const line of lines) {
      const [from, to] = line.split(" ");
      const entry = {
        source: parseReference(from!),
        destination: parseReference(to!),
      };
      const { verdict } = await validateImage(entry, {
        clients,
        selection: SEL,
      });
      out.push(
        verdict.status === "failed"
          ? `${verdict.status} ${verdict.kind}: ${verdict.reason}`
          : `${verdict.status}: ${verdict.reason}`,
      );
    }
    return out;
  } finally {
    online.close();
  }
}

Deno.test("validateImage() gives the same verdicts with the layout as the source as with the online source", async () => {
  await using w = await world();
  const dst = await startDistribution();
  try {
    for (const repo of ["lib/oci-index", "lib/oci-single"]) {
      await skopeoCopy(
        `docker://${w.src.host}/${repo}:1`,
        `docker://${dst.host}/${repo}:1`,
      );
    }
    // A broken mirror: the index's children, under a tag listing amd64 only.
    await skopeoCopy(
      `docker://${w.src.host}/lib/oci-index:1`,
      `docker://${dst.host}/broken/oci-index:full`,
    );
    const amd = w.index.children.find((c) =>
      c.platform.architecture === "amd64"
    )!;
    await pushManifest(
      dst.url,
      { repository: "broken/oci-index", reference: "1" },
      indexBody("oci", [amd]),
      MEDIA_TYPES.ociIndex,
    );
    const dir = `${w.tmp}/layout`;
    await toLayout(w, "lib/oci-index", dir, `${w.src.host}/lib/oci-index:1`);
    await toLayout(w, "lib/oci-single", dir, "1");
    const s = w.src.host;
    const lines = [
      `${s}/lib/oci-index:1 ${dst.host}/lib/oci-index:1`,
      `${s}/lib/oci-single:1 ${dst.host}/lib/oci-single:1`,
      `${s}/lib/oci-index:1 ${dst.host}/absent/oci-index:1`,
      `${s}/lib/oci-index:1 ${dst.host}/broken/oci-index:1`,
    ];
    const expected = [
      "passed: identical",
      "passed: identical",
      "failed missing: destination manifest does not exist",
      "failed mismatch: platform mismatch: linux/arm64 missing in destination",
    ];
    const online = createClientFactory({ tlsVerify: false });
    try {
      assert.deepEqual(
        await verdicts(lines, (r) => online(r, "source")),
        expected,
      );
    } finally {
      online.close();
    }
    const layout = await openOciLayout(dir);
    assert.deepEqual(await verdicts(lines, (r) => layout.client(r)), expected);
    assert.deepEqual(
      // Tag 2: the bare tag "1" of lib/oci-single would match any line tagged 1.
      await verdicts(
        [`${s}/lib/not-carried:2 ${dst.host}/lib/oci-index:1`],
        (r) => layout.client(r),
      ),
      [`failed not-in-snapshot: source: "${s}/lib/not-carried:2" is not in the OCI layout "${dir}"`],
    );
    // A changed byte is caught when the source must be read (a mirror that
    // differs); equal digests pass on index.json alone, as on a HEAD online.
    const indexPath = `${dir}/blobs/sha256/${w.index.digest.slice(7)}`;
    const bytes = await Deno.readFile(indexPath);
    bytes[10] = bytes[10]! ^ 1;
    await Deno.writeFile(indexPath, bytes);
    assert.deepEqual(await verdicts(lines.slice(3), (r) => layout.client(r)), [
      `failed digest-mismatch: source: file "${indexPath}" of the OCI layout does not match its digest: content hashes to "${await sha256Digest(
        bytes,
      )}"`,
    ]);
    // A blob lost from the layout reads as a missing source manifest, as online.
    await Deno.remove(`${dir}/blobs/sha256/${w.single.digest.slice(7)}`);
    const line = `${s}/lib/oci-single:1 ${dst.host}/absent/oci-single:1`;
    assert.deepEqual(await verdicts([line], (r) => layout.client(r)), [
      "failed missing: source manifest does not exist",
    ]);
  } finally {
    await dst.stop();
  }
});
