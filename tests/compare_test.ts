import assert from "node:assert/strict";
import {
  compareImages,
  needsDestinationConfig,
  type ResolvedImage,
  SCHEMA1_WARNING,
  SKIP_REASON,
  type Verdict,
} from "../lib/verdict/compare.ts";
import {
  platformSpecs,
  selectedSourcePlatforms,
} from "../lib/verdict/platform_specs.ts";
import type { Descriptor, Manifest } from "../lib/types/manifest.ts";
import { MEDIA_TYPES } from "../lib/types/manifest.ts";
import type { Platform } from "../lib/types/platform.ts";

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

const AMD64_ONLY = { architectures: ["amd64"], oses: ["linux"] };
const DOCKER_SRC = index(
  d("1"),
  [entry(d("a"), AMD64), entry(d("b"), ARM64), entry(d("e"), S390X)],
  MEDIA_TYPES.dockerList,
);

const cases: [
  string,
  ResolvedImage,
  ResolvedImage,
  string,
  { architectures: string[]; oses: string[] }?,
][] = [
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
    { architectures: ["arm"], oses: ["linux"] },
  ],
  [
    "rule 5: an index with one selected platform against a single image with another digest fails",
    SRC_INDEX,
    image(d("4"), AMD64),
    `failed/mismatch: digest mismatch: source ${d("a")} != destination ${
      d("4")
    }`,
    AMD64_ONLY,
  ],
  [
    "rule 5: an index with one selected platform against that single image passes",
    SRC_INDEX,
    image(d("a")),
    "passed: single platform matches",
    AMD64_ONLY,
  ],
  [
    "rule 7: schema1 against an index that lacks its platform fails",
    schema1(d("a"), AMD64),
    index(d("4"), [entry(d("5"), ARM64), entry(d("6"), S390X)]),
    "failed/mismatch: platform mismatch: linux/amd64 missing in destination",
  ],
  [
    "rule 7: schema1 platforms are normalised (x86_64 = amd64)",
    schema1(d("a"), { architecture: "x86_64", os: "linux" }),
    image(d("4"), AMD64),
    `passed: platform present [${SCHEMA1_WARNING}]`,
  ],
  [
    "rule 7: schema1 platforms are normalised in an index (aarch64 = arm64/v8)",
    schema1(d("a"), { architecture: "aarch64", os: "linux" }),
    index(d("4"), [entry(d("5"), ARM64V8)]),
    `passed: platform present [${SCHEMA1_WARNING}]`,
  ],
  [
    "rule 7: a schema1 destination is compared by normalised platform",
    schema1(d("a"), ARM64V8),
    schema1(d("4"), { architecture: "aarch64", os: "linux" }),
    `passed: platform present [${SCHEMA1_WARNING}]`,
  ],
  [
    "rule 5: a Docker list converted to an OCI index is a converted copy",
    DOCKER_SRC,
    index(d("2"), [entry(d("5"), AMD64), entry(d("6"), ARM64)]),
    "failed/mismatch: destination is a converted copy (OCI index instead of Docker manifest list): every digest differs",
  ],
  [
    "rule 5: an OCI index converted to a Docker list is a converted copy",
    index(d("1"), [entry(d("a"), AMD64), entry(d("b"), ARM64)]),
    index(
      d("2"),
      [entry(d("5"), AMD64), entry(d("6"), ARM64)],
      MEDIA_TYPES.dockerList,
    ),
    "failed/mismatch: destination is a converted copy (Docker manifest list instead of OCI index): every digest differs",
  ],
  [
    "rule 5: every digest different in the same format is stale, not converted",
    DOCKER_SRC,
    index(
      d("2"),
      [entry(d("5"), AMD64), entry(d("6"), ARM64)],
      MEDIA_TYPES.dockerList,
    ),
    `failed/mismatch: platform mismatch: linux/amd64 source ${
      d("a")
    } != destination ${d("5")}; linux/arm64 source ${d("b")} != destination ${
      d("6")
    }`,
  ],
  [
    "rule 5: the other format with one digest equal is a stale platform",
    DOCKER_SRC,
    index(d("2"), [entry(d("a"), AMD64), entry(d("6"), ARM64)]),
    `failed/mismatch: platform mismatch: linux/arm64 source ${
      d("b")
    } != destination ${d("6")}`,
  ],
  [
    "rule 5: the other format with a platform missing names the platform",
    DOCKER_SRC,
    index(d("2"), [entry(d("5"), AMD64)]),
    `failed/mismatch: platform mismatch: linux/amd64 source ${
      d("a")
    } != destination ${d("5")}; linux/arm64 missing in destination`,
  ],
  [
    "rule 6: a Docker image converted to an OCI manifest is a converted copy",
    image(d("a"), AMD64),
    image(d("4"), AMD64, MEDIA_TYPES.ociManifest),
    "failed/mismatch: destination is a converted copy (OCI manifest instead of Docker manifest): the digest differs",
  ],
  [
    "rule 6: an OCI manifest of another platform is a digest mismatch",
    image(d("a"), AMD64),
    image(d("4"), ARM64, MEDIA_TYPES.ociManifest),
    `failed/mismatch: digest mismatch: source ${d("a")} != destination ${
      d("4")
    }`,
  ],
];

for (const [name, src, dst, expected, selection = SEL] of cases) {
  Deno.test(`compareImages() ${name}`, () => {
    assert.equal(summary(compareImages(src, dst, selection)), expected);
  });
}

Deno.test("platformSpecs() keeps the selected source entries and the destination entries of selected platforms", () => {
  const specs = platformSpecs(
    SRC_INDEX,
    index(d("2"), [
      entry(d("a"), AMD64),
      entry(d("3"), ARM64),
      entry(d("7"), S390X),
      entry(d("8"), UNKNOWN),
      entry(d("9")),
    ]),
    SEL,
  );
  assert.equal(
    JSON.stringify(specs),
    `{"srcSpec":[{"digest":"${
      d("a")
    }","platform":{"architecture":"amd64","os":"linux"}},` +
      `{"digest":"${
        d("b")
      }","platform":{"architecture":"arm64","os":"linux","variant":"v8"}}],` +
      `"dstSpec":[{"digest":"${
        d("a")
      }","platform":{"architecture":"amd64","os":"linux"}},` +
      `{"digest":"${
        d("3")
      }","platform":{"architecture":"arm64","os":"linux"}}]}`,
  );
});

Deno.test("platformSpecs() gives a single destination image its platform", async (t) => {
  await t.step("from its config, when it was read", () => {
    assert.equal(
      JSON.stringify(
        platformSpecs(image(d("a"), AMD64), image(d("4"), ARM64), SEL).dstSpec,
      ),
      `[{"digest":"${
        d("4")
      }","platform":{"architecture":"arm64","os":"linux"}}]`,
    );
  });
  await t.step("from the source entry with the same digest", () => {
    const source = index(d("1"), [entry(d("a"), AMD64), entry(d("e"), S390X)]);
    assert.equal(
      JSON.stringify(platformSpecs(source, image(d("a")), SEL)),
      `{"srcSpec":[{"digest":"${
        d("a")
      }","platform":{"architecture":"amd64","os":"linux"}}],` +
        `"dstSpec":[{"digest":"${
          d("a")
        }","platform":{"architecture":"amd64","os":"linux"}}]}`,
    );
  });
  await t.step("from a schema1 manifest", () => {
    assert.equal(
      JSON.stringify(
        platformSpecs(schema1(d("a"), AMD64), schema1(d("4"), ARM64), SEL)
          .dstSpec,
      ),
      `[{"digest":"${
        d("4")
      }","platform":{"architecture":"arm64","os":"linux"}}]`,
    );
  });
  await t.step(
    "none when unknown, and no dstSpec without a destination",
    () => {
      assert.equal(
        JSON.stringify(platformSpecs(image(d("a"), AMD64), image(d("4")), SEL)),
        `{"srcSpec":[{"digest":"${
          d("a")
        }","platform":{"architecture":"amd64","os":"linux"}}],` +
          `"dstSpec":[{"digest":"${d("4")}"}]}`,
      );
      assert.deepEqual(platformSpecs(image(d("a"), S390X), undefined, SEL), {
        srcSpec: [],
      });
    },
  );
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
