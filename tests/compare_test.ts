import assert from "node:assert/strict";
import {
  compareImages,
  needsDestinationConfig,
  type ResolvedImage,
  SCHEMA1_WARNING,
  selectedSourcePlatforms,
  SKIP_REASON,
  type Verdict,
} from "../lib/compare.ts";
import type { Descriptor, Manifest } from "../lib/manifest.ts";
import { MEDIA_TYPES } from "../lib/manifest.ts";
import type { Platform } from "../lib/platform.ts";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };
const ARM64V8: Platform = { architecture: "arm64", os: "linux", variant: "v8" };
const ARMV7: Platform = { architecture: "arm", os: "linux", variant: "v7" };
const ARM: Platform = { architecture: "arm", os: "linux" };
const S390X: Platform = { architecture: "s390x", os: "linux" };
const UNKNOWN: Platform = { architecture: "unknown", os: "unknown" };
const WIN: Platform = {
  architecture: "amd64",
  os: "windows",
  "os.version": "10.0.17763.1",
};
const WIN_OTHER: Platform = {
  architecture: "amd64",
  os: "windows",
  "os.version": "10.0.20348.1",
};
const SEL = { architectures: ["amd64", "arm64"], oses: ["linux", "windows"] };

function entry(digest: string, platform?: Platform): Descriptor {
  return {
    mediaType: MEDIA_TYPES.ociManifest,
    digest,
    size: 100,
    ...(platform ? { platform } : {}),
  };
}
function index(
  digest: string,
  entries: Descriptor[],
  mediaType: string = MEDIA_TYPES.ociIndex,
): ResolvedImage {
  return { digest, manifest: { kind: "index", mediaType, manifests: entries } };
}
function image(
  digest: string,
  platform?: Platform,
  mediaType: string = MEDIA_TYPES.dockerManifest,
): ResolvedImage {
  const manifest: Manifest = {
    kind: "image",
    mediaType,
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      digest: d("c"),
      size: 10,
    },
    layers: [],
  };
  return platform ? { digest, manifest, platform } : { digest, manifest };
}
function schema1(digest: string, platform: Platform): ResolvedImage {
  return {
    digest,
    manifest: {
      kind: "schema1",
      mediaType: MEDIA_TYPES.dockerSchema1Signed,
      platform,
    },
  };
}
function summary(v: Verdict): string {
  if (v.status === "failed") return `failed/${v.kind}: ${v.reason}`;
  if (v.status === "passed") {
    return `passed: ${v.reason}${
      v.warnings.length ? ` [${v.warnings.join("|")}]` : ""
    }`;
  }
  return `skipped: ${v.reason}`;
}

const SRC_INDEX = index(d("1"), [
  entry(d("a"), AMD64),
  entry(d("b"), ARM64V8),
  entry(d("e"), S390X),
  entry(d("f"), UNKNOWN),
  entry(d("9")),
]);

const cases: [string, ResolvedImage, ResolvedImage, string][] = [
  [
    "rule 2: equal digests pass",
    SRC_INDEX,
    index(d("1"), []),
    "passed: identical",
  ],
  [
    "rule 5: destination index with only the selected platforms passes",
    SRC_INDEX,
    index(
      d("2"),
      [entry(d("a"), AMD64), entry(d("b"), ARM64)],
      MEDIA_TYPES.dockerList,
    ),
    "passed: all selected platforms match",
  ],
  [
    "rule 5: platforms are compared after normalisation (aarch64, v8)",
    SRC_INDEX,
    index(d("2"), [
      entry(d("b"), { architecture: "aarch64", os: "linux" }),
      entry(d("a"), { architecture: "x86_64", os: "linux" }),
    ]),
    "passed: all selected platforms match",
  ],
  [
    "rule 5: a dropped attestation or unselected platform is not a fault",
    SRC_INDEX,
    index(d("2"), [entry(d("a"), AMD64), entry(d("b"), ARM64)]),
    "passed: all selected platforms match",
  ],
  [
    "rule 5: a missing platform fails and names it",
    SRC_INDEX,
    index(d("2"), [entry(d("a"), AMD64)]),
    "failed/mismatch: platform mismatch: linux/arm64 missing in destination",
  ],
  [
    "rule 5: a stale platform fails with both digests",
    SRC_INDEX,
    index(d("2"), [entry(d("a"), AMD64), entry(d("3"), ARM64)]),
    `failed/mismatch: platform mismatch: linux/arm64 source ${
      d("b")
    } != destination ${d("3")}`,
  ],
  [
    "rule 5: the first destination entry of a platform decides",
    SRC_INDEX,
    index(d("2"), [
      entry(d("a"), AMD64),
      entry(d("3"), ARM64),
      entry(d("b"), ARM64),
    ]),
    `failed/mismatch: platform mismatch: linux/arm64 source ${
      d("b")
    } != destination ${d("3")}`,
  ],
  [
    "rule 5: a wrong platform label fails",
    SRC_INDEX,
    index(d("2"), [entry(d("a"), AMD64), entry(d("b"), ARMV7)]),
    "failed/mismatch: platform mismatch: linux/arm64 missing in destination",
  ],
  [
    "rule 5: a single destination image cannot hold two selected platforms",
    SRC_INDEX,
    image(d("a")),
    "failed/mismatch: destination is a single image but 2 platforms are selected: linux/amd64, linux/arm64",
  ],
  [
    "rule 5: os.version must be equal where the source has one",
    index(d("1"), [entry(d("a"), WIN)]),
    index(d("2"), [entry(d("a"), WIN_OTHER)]),
    "failed/mismatch: platform mismatch: windows/amd64 10.0.17763.1 missing in destination",
  ],
  [
    "rule 6: a single image wrapped in a one-entry list passes (legacy hangar)",
    image(d("a"), AMD64),
    index(d("2"), [entry(d("a"), AMD64)], MEDIA_TYPES.dockerList),
    "passed: all selected platforms match",
  ],
  [
    "rule 6: a wrapped single image with another digest fails",
    image(d("a"), AMD64),
    index(d("2"), [entry(d("4"), AMD64)]),
    `failed/mismatch: platform mismatch: linux/amd64 source ${
      d("a")
    } != destination ${d("4")}`,
  ],
  [
    "rule 6: a single image with another digest fails",
    image(d("a"), AMD64),
    image(d("4"), AMD64),
    `failed/mismatch: digest mismatch: source ${d("a")} != destination ${
      d("4")
    }`,
  ],
  [
    "rule 3: no selected platform skips",
    image(d("a"), S390X),
    image(d("4"), S390X),
    `skipped: ${SKIP_REASON}`,
  ],
  [
    "rule 7: schema1 passes with a warning when the platform is held",
    schema1(d("a"), AMD64),
    image(d("4"), AMD64),
    `passed: platform present [${SCHEMA1_WARNING}]`,
  ],
  [
    "rule 7: schema1 against an index holding the platform passes with a warning",
    schema1(d("a"), ARM64),
    index(d("4"), [entry(d("5"), ARM64)]),
    `passed: platform present [${SCHEMA1_WARNING}]`,
  ],
  [
    "rule 7: schema1 fails when the destination holds another platform",
    schema1(d("a"), AMD64),
    image(d("4"), ARM64),
    "failed/mismatch: platform mismatch: linux/amd64 missing in destination",
  ],
  [
    "rule 5: arm without variant equals arm/v7",
    index(d("1"), [entry(d("a"), ARM)]),
    index(d("2"), [entry(d("a"), ARMV7)]),
    "passed: all selected platforms match",
  ],
];

for (const [name, src, dst, expected] of cases) {
  const selection = name.includes("arm without")
    ? { architectures: ["arm"], oses: ["linux"] }
    : SEL;
  Deno.test(`compareImages() ${name}`, () => {
    assert.equal(summary(compareImages(src, dst, selection)), expected);
  });
}

Deno.test("compareImages() reports srcSpec and dstSpec of the selected platforms on a mismatch", () => {
  const verdict = compareImages(
    SRC_INDEX,
    index(d("2"), [
      entry(d("a"), AMD64),
      entry(d("3"), ARM64),
      entry(d("7"), S390X),
    ]),
    SEL,
  );
  assert.equal(verdict.status, "failed");
  assert.ok(verdict.status === "failed");
  assert.deepEqual(verdict.srcSpec, [{ digest: d("a"), platform: AMD64 }, {
    digest: d("b"),
    platform: ARM64V8,
  }]);
  assert.deepEqual(verdict.dstSpec, [{ digest: d("a"), platform: AMD64 }, {
    digest: d("3"),
    platform: ARM64,
  }]);
});

Deno.test("selectedSourcePlatforms() never selects entries without a platform or unknown/unknown", () => {
  const all = {
    architectures: ["amd64", "arm64", "s390x", "unknown"],
    oses: ["linux", "unknown"],
  };
  assert.deepEqual(
    selectedSourcePlatforms(SRC_INDEX, all).map((s) => s.digest),
    [d("a"), d("b"), d("e")],
  );
});

Deno.test("selectedSourcePlatforms() honours the os list", () => {
  assert.deepEqual(
    selectedSourcePlatforms(
      index(d("1"), [entry(d("a"), WIN), entry(d("b"), AMD64)]),
      { architectures: ["amd64"], oses: ["windows"] },
    ).map((s) => s.digest),
    [d("a")],
  );
});

Deno.test("needsDestinationConfig() is true only for a schema1 source against a single image", () => {
  assert.equal(
    needsDestinationConfig(
      schema1(d("a"), AMD64).manifest,
      image(d("b")).manifest,
    ),
    true,
  );
  assert.equal(
    needsDestinationConfig(schema1(d("a"), AMD64).manifest, SRC_INDEX.manifest),
    false,
  );
  assert.equal(
    needsDestinationConfig(image(d("a")).manifest, image(d("b")).manifest),
    false,
  );
});
