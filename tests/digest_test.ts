import { strictEqual } from "node:assert/strict";
import {
  computeDigest,
  isDigest,
  sha256Digest,
  verifyDigest,
} from "../lib/types/digest.ts";

const encoder = new TextEncoder();
const EMPTY_256 =
  "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ABC_256 =
  "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const ABC_512 =
  "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
const HEX64 = "0123456789abcdef".repeat(4);
const HEX128 = HEX64.repeat(2);

Deno.test("sha256Digest() hashes bytes to sha256:<64 lowercase hex>", async () => {
  strictEqual(await sha256Digest(new Uint8Array()), EMPTY_256);
  strictEqual(await sha256Digest(encoder.encode("abc")), ABC_256);
});

Deno.test("sha256Digest() hashes only the bytes a view covers", async () => {
  const whole = encoder.encode("xabcx");
  strictEqual(await sha256Digest(whole.subarray(1, 4)), ABC_256);
});

Deno.test("computeDigest() supports sha256 (default) and sha512", async () => {
  strictEqual(await computeDigest(encoder.encode("abc")), ABC_256);
  strictEqual(await computeDigest(encoder.encode("abc"), "sha256"), ABC_256);
  strictEqual(await computeDigest(encoder.encode("abc"), "sha512"), ABC_512);
});

const DIGESTS: [string, boolean][] = [
  [`sha256:${HEX64}`, true],
  [EMPTY_256, true],
  [`sha512:${HEX128}`, true],
  [ABC_512, true],
  ["sha384:abc", true],
  ["multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", true],
  ["sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", true],
  ["a.b_c-d:x=y", true],
  [`sha256:${HEX64.slice(1)}`, false],
  [`sha256:${HEX64}0`, false],
  [`sha256:${HEX64.toUpperCase()}`, false],
  [`sha256:${"g".repeat(64)}`, false],
  [`sha512:${HEX64}`, false],
  [`sha512:${HEX128.toUpperCase()}`, false],
  [`SHA256:${HEX64}`, false],
  [HEX64, false],
  ["", false],
  [":", false],
  ["sha256:", false],
  [`:${HEX64}`, false],
  ["latest", false],
  [`sha256:${HEX64}:x`, false],
  [`sha256:${HEX64} `, false],
  ["sha.:abc", false],
  [".sha:abc", false],
  ["sha..x:abc", false],
  ["sha:a/b", false],
  ["sha:a+b", false],
];

for (const [value, expected] of DIGESTS) {
  Deno.test(`isDigest() says ${expected} for "${value.slice(0, 40)}"`, () => {
    strictEqual(isDigest(value), expected);
  });
}

Deno.test("verifyDigest() accepts content matching a sha256 digest", async () => {
  strictEqual(await verifyDigest(encoder.encode("abc"), ABC_256), true);
  strictEqual(await verifyDigest(new Uint8Array(), EMPTY_256), true);
});

Deno.test("verifyDigest() accepts content matching a sha512 digest", async () => {
  strictEqual(await verifyDigest(encoder.encode("abc"), ABC_512), true);
});

Deno.test("verifyDigest() rejects content that does not match", async () => {
  strictEqual(await verifyDigest(encoder.encode("abd"), ABC_256), false);
  strictEqual(await verifyDigest(encoder.encode("abd"), ABC_512), false);
  strictEqual(await verifyDigest(encoder.encode("abc"), EMPTY_256), false);
});

Deno.test("verifyDigest() rejects unknown algorithms and malformed digests", async () => {
  const bytes = encoder.encode("abc");
  strictEqual(await verifyDigest(bytes, "sha384:abc"), false);
  strictEqual(await verifyDigest(bytes, `md5:${HEX64}`), false);
  strictEqual(await verifyDigest(bytes, ABC_256.toUpperCase()), false);
  strictEqual(await verifyDigest(bytes, ABC_256.slice(7)), false);
  strictEqual(await verifyDigest(bytes, ""), false);
});
