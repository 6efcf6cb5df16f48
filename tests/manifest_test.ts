import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import {
  type Descriptor,
  MANIFEST_ACCEPT,
  MAX_MANIFEST_BYTES,
  MEDIA_TYPES,
  parseImageConfig,
  parseManifest,
} from "../lib/types/manifest.ts";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;
const D3 = `sha256:${"3".repeat(64)}`;
const encode = (value: unknown) =>
  new TextEncoder().encode(
    typeof value === "string" ? value : JSON.stringify(value),
  );
const OCI_MANIFEST = MEDIA_TYPES.ociManifest;
const entry = (digest: string, platform?: unknown) => ({
  mediaType: OCI_MANIFEST,
  digest,
  size: 100,
  ...(platform === undefined ? {} : { platform }),
});
const expected = (
  digest: string,
  platform: Descriptor["platform"],
): Descriptor => ({
  mediaType: OCI_MANIFEST,
  digest,
  size: 100,
  platform,
});
const jsonError = (text: string) => {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("valid JSON");
};

Deno.test("MANIFEST_ACCEPT lists the four manifest types", () => {
  strictEqual(
    MANIFEST_ACCEPT,
    "application/vnd.docker.distribution.manifest.list.v2+json, " +
      "application/vnd.docker.distribution.manifest.v2+json, " +
      "application/vnd.oci.image.index.v1+json, " +
      "application/vnd.oci.image.manifest.v1+json",
  );
  strictEqual(MAX_MANIFEST_BYTES, 4194304);
});

Deno.test("parseManifest() reads an OCI index with attestation and platformless entries", () => {
  const body = encode({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      entry(D1, { architecture: "amd64", os: "linux" }),
      entry(D2, { architecture: "arm64", os: "linux", variant: "v8" }),
      {
        ...entry(D3, { architecture: "unknown", os: "unknown" }),
        annotations: { "vnd.docker.reference.type": "attestation-manifest" },
      },
      entry(D3),
      entry(D3, "linux/amd64"),
      entry(D3, { os: "linux" }),
      entry(D3, { architecture: "amd64", os: 3 }),
    ],
  });
  deepStrictEqual(parseManifest(body), {
    kind: "index",
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      expected(D1, { architecture: "amd64", os: "linux" }),
      expected(D2, { architecture: "arm64", os: "linux", variant: "v8" }),
      {
        ...expected(D3, { architecture: "unknown", os: "unknown" }),
        annotations: { "vnd.docker.reference.type": "attestation-manifest" },
      },
      expected(D3, undefined),
      expected(D3, undefined),
      expected(D3, undefined),
      expected(D3, undefined),
    ],
  });
});

Deno.test("parseManifest() reads a Docker list with Windows os.version and features", () => {
  const platform = {
    architecture: "amd64",
    os: "windows",
    "os.version": "10.0.17763.1",
    "os.features": ["win32k"],
  };
  const body = encode({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerList,
    manifests: [{
      mediaType: MEDIA_TYPES.dockerManifest,
      digest: D1,
      size: 7,
      platform,
    }],
  });
  deepStrictEqual(parseManifest(body, MEDIA_TYPES.dockerList), {
    kind: "index",
    mediaType: MEDIA_TYPES.dockerList,
    manifests: [{
      mediaType: MEDIA_TYPES.dockerManifest,
      digest: D1,
      size: 7,
      platform,
    }],
  });
});

Deno.test("parseManifest() reads a Docker v2 image manifest", () => {
  const body = encode({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      digest: D1,
      size: 1,
    },
    layers: [{
      mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
      digest: D2,
      size: 0,
    }],
  });
  deepStrictEqual(parseManifest(body), {
    kind: "image",
    mediaType: MEDIA_TYPES.dockerManifest,
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      digest: D1,
      size: 1,
    },
    layers: [{
      mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
      digest: D2,
      size: 0,
    }],
  });
});

Deno.test("parseManifest() reads an OCI manifest without mediaType from the Content-Type", () => {
  const body = encode({
    schemaVersion: 2,
    config: { digest: D1, size: 2 },
    layers: [],
  });
  deepStrictEqual(parseManifest(body, `${OCI_MANIFEST}; charset=utf-8`), {
    kind: "image",
    mediaType: OCI_MANIFEST,
    config: { mediaType: "", digest: D1, size: 2 },
    layers: [],
  });
});

Deno.test("parseManifest() infers the media type from the shape", () => {
  const index = encode({ schemaVersion: 2, manifests: [] });
  const image = encode({ schemaVersion: 2, config: { digest: D1, size: 2 } });
  deepStrictEqual(parseManifest(index), {
    kind: "index",
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [],
  });
  deepStrictEqual(parseManifest(index, "application/json"), {
    kind: "index",
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [],
  });
  strictEqual(parseManifest(image, "text/plain").mediaType, OCI_MANIFEST);
  strictEqual(parseManifest(image).kind, "image");
});

Deno.test("parseManifest() trusts the body's mediaType over the Content-Type", () => {
  const body = encode({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerList,
    manifests: [],
  });
  deepStrictEqual(parseManifest(body, OCI_MANIFEST), {
    kind: "index",
    mediaType: MEDIA_TYPES.dockerList,
    manifests: [],
  });
});

Deno.test("parseManifest() reads schema1 platforms from architecture and history", () => {
  const windows = encode({
    schemaVersion: 1,
    architecture: "amd64",
    history: [{ v1Compatibility: '{"os":"windows","id":"x"}' }, {
      v1Compatibility: "{}",
    }],
  });
  deepStrictEqual(parseManifest(windows, MEDIA_TYPES.dockerSchema1Signed), {
    kind: "schema1",
    mediaType: MEDIA_TYPES.dockerSchema1Signed,
    platform: { architecture: "amd64", os: "windows" },
  });
  const plain = encode({
    schemaVersion: 1,
    architecture: "arm64",
    history: [],
  });
  deepStrictEqual(parseManifest(plain), {
    kind: "schema1",
    mediaType: MEDIA_TYPES.dockerSchema1,
    platform: { architecture: "arm64", os: "linux" },
  });
  deepStrictEqual(parseManifest(plain, MEDIA_TYPES.dockerManifest), {
    kind: "schema1",
    mediaType: MEDIA_TYPES.dockerSchema1,
    platform: { architecture: "arm64", os: "linux" },
  });
});

const HTML = "<!DOCTYPE html><html><body>Service unavailable</body></html>";

// deno-fmt-ignore
const SYNTAX_ERRORS: [string, Uint8Array, string | undefined, string][] = [
  ["broken JSON", encode('{"schemaVersion": 2,'), undefined, jsonError('{"schemaVersion": 2,')],
  ["broken JSON with a manifest type", encode("{"), OCI_MANIFEST, jsonError("{")],
  ["an HTML body without a type", encode(HTML), undefined, "body is HTML or XML, not JSON"],
  ["an HTML body labelled as a manifest", encode(HTML), OCI_MANIFEST, "body is HTML or XML, not JSON"],
  ["invalid UTF-8", new Uint8Array([0x7b, 0xff, 0x7d]), undefined, "body is not valid UTF-8"],
  ["an empty body", new Uint8Array(), OCI_MANIFEST, jsonError("")],
  ["a JSON array", encode("[]"), undefined, "body is not a JSON object"],
  ["JSON null", encode("null"), OCI_MANIFEST, "body is not a JSON object"],
  ["an unrecognisable object", encode({ schemaVersion: 2 }), undefined, "no media type and no manifests or config"],
  ["a non-string mediaType", encode({ mediaType: 2 }), undefined, "mediaType is not a string"],
  ["an index without manifests", encode({ mediaType: MEDIA_TYPES.ociIndex }), undefined, "manifests is not an array"],
  ["an entry that is not an object", encode({ manifests: [entry(D1), 3] }), undefined, "manifests[1] is not an object"],
  ["an entry with a bad digest", encode({ manifests: [entry("sha256:abc")] }), undefined, 'manifests[0].digest "sha256:abc" is not a valid digest'],
  ["an entry without a digest", encode({ manifests: [{ size: 1 }] }), undefined, "manifests[0].digest undefined is not a valid digest"],
  ["an entry with a negative size", encode({ manifests: [{ digest: D1, size: -1 }] }), undefined, "manifests[0].size is not a non-negative integer"],
  ["an entry with a fractional size", encode({ manifests: [{ digest: D1, size: 1.5 }] }), undefined, "manifests[0].size is not a non-negative integer"],
  ["an entry with a string size", encode({ manifests: [{ digest: D1, size: "1" }] }), undefined, "manifests[0].size is not a non-negative integer"],
  ["an entry with a numeric mediaType", encode({ manifests: [{ mediaType: 1, digest: D1, size: 1 }] }), undefined, "manifests[0].mediaType is not a string"],
  ["an image without config", encode({ mediaType: OCI_MANIFEST, layers: [] }), undefined, "config is missing"],
  ["an image with a bad config", encode({ mediaType: OCI_MANIFEST, config: { digest: D1 } }), undefined, "config.size is not a non-negative integer"],
  ["an image with bad layers", encode({ mediaType: OCI_MANIFEST, config: entry(D1), layers: {} }), undefined, "layers is not an array"],
  ["an image with a bad layer", encode({ mediaType: OCI_MANIFEST, config: entry(D1), layers: [entry("x")] }), undefined, 'layers[0].digest "x" is not a valid digest'],
  ["schema1 without architecture", encode({ schemaVersion: 1, history: [] }), undefined, "schema1 architecture is missing"],
  ["schema1 with broken history", encode({ schemaVersion: 1, architecture: "amd64", history: [{ v1Compatibility: "{" }] }), undefined, "history[0].v1Compatibility is not valid JSON"],
];

for (const [what, body, contentType, detail] of SYNTAX_ERRORS) {
  Deno.test(`parseManifest() rejects ${what} with a SyntaxError`, () => {
    throws(() => parseManifest(body, contentType), {
      name: "SyntaxError",
      message: `Cannot parse manifest: ${detail}`,
    });
  });
}

// deno-fmt-ignore
const TYPE_ERRORS: [string, Uint8Array, string | undefined, string][] = [
  ["an HTML page", encode(HTML), "text/html; charset=utf-8", "text/html"],
  ["JSON with no recognisable shape", encode({ error: "x" }), "application/json", "application/json"],
  ["JSON labelled with an unknown type", encode({ manifests: [] }), "application/vnd.example+json", "application/vnd.example+json"],
  ["an OCI artifact manifest", encode({ mediaType: "application/vnd.oci.artifact.manifest.v1+json", blobs: [] }), undefined, "application/vnd.oci.artifact.manifest.v1+json"],
  ["a Docker plugin config type", encode({ mediaType: "application/vnd.docker.plugin.v1+json" }), OCI_MANIFEST, "application/vnd.docker.plugin.v1+json"],
];

for (const [what, body, contentType, type] of TYPE_ERRORS) {
  Deno.test(`parseManifest() rejects ${what} with a TypeError`, () => {
    throws(() => parseManifest(body, contentType), {
      name: "TypeError",
      message: `Unsupported manifest media type "${type}"`,
    });
  });
}

Deno.test("parseManifest() refuses bodies larger than MAX_MANIFEST_BYTES", () => {
  const body = new Uint8Array(MAX_MANIFEST_BYTES + 1).fill(0x20);
  throws(() => parseManifest(body, OCI_MANIFEST), {
    name: "RangeError",
    message: "Cannot parse manifest: body is larger than 4194304 bytes",
  });
});

Deno.test("parseImageConfig() reads the platform of an image config", () => {
  deepStrictEqual(
    parseImageConfig(
      encode({
        architecture: "arm",
        os: "linux",
        variant: "v7",
        rootfs: {},
        config: {},
      }),
    ),
    { architecture: "arm", os: "linux", variant: "v7" },
  );
  deepStrictEqual(
    parseImageConfig(
      encode({
        architecture: "amd64",
        os: "windows",
        "os.version": "10.0.17763.1",
        "os.features": ["win32k"],
      }),
    ),
    {
      architecture: "amd64",
      os: "windows",
      "os.version": "10.0.17763.1",
      "os.features": ["win32k"],
    },
  );
  deepStrictEqual(
    parseImageConfig(
      encode({ architecture: "amd64", os: "linux", variant: "" }),
    ),
    {
      architecture: "amd64",
      os: "linux",
    },
  );
});

// deno-fmt-ignore
const CONFIG_ERRORS: [string, Uint8Array, string][] = [
  ["without os", encode({ architecture: "amd64" }), "architecture or os is missing"],
  ["without architecture", encode({ os: "linux" }), "architecture or os is missing"],
  ["with an empty architecture", encode({ architecture: "", os: "linux" }), "architecture or os is missing"],
  ["that is an array", encode([]), "body is not a JSON object"],
  ["that is broken JSON", encode("{"), jsonError("{")],
  ["that is HTML", encode(HTML), "body is HTML or XML, not JSON"],
  ["that is not UTF-8", new Uint8Array([0xc3, 0x28]), "body is not valid UTF-8"],
];

for (const [what, body, detail] of CONFIG_ERRORS) {
  Deno.test(`parseImageConfig() rejects a config ${what}`, () => {
    throws(() => parseImageConfig(body), {
      name: "SyntaxError",
      message: `Cannot parse image config: ${detail}`,
    });
  });
}
