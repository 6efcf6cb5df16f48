import assert from "node:assert/strict";
import {
  checkRegistryName,
  parseTlsVerify,
  splitList,
} from "../lib/_cli_support.ts";

Deno.test("checkRegistryName() accepts hosts, ports and IPv6 and says what is wrong otherwise", () => {
  const cases: [string, string | undefined][] = [
    ["r.io", undefined],
    ["r.io:5000", undefined],
    ["[::1]:5000", undefined],
    ["localhost", undefined],
    ["Registry.IO", undefined],
    ["", "registry name is empty"],
    ["https://r.io", "expected a registry host without a scheme"],
    [
      "r.io/x",
      'expected a registry host such as "registry.io:5000", without a path',
    ],
    ["bad_host!", "not a valid registry host"],
  ];
  for (const [value, expected] of cases) {
    assert.equal(checkRegistryName(value), expected, value);
  }
});

Deno.test("splitList() trims spaces around items, lowercases and drops empty ones", () => {
  assert.deepEqual(splitList(" amd64, ARM64 ,,arm "), [
    "amd64",
    "arm64",
    "arm",
  ]);
  assert.deepEqual(splitList(" , "), []);
});

Deno.test("parseTlsVerify() reads true/false/1/0 and refuses anything else", () => {
  assert.equal(parseTlsVerify("--tls-verify", true), true);
  assert.equal(parseTlsVerify("--tls-verify", "FALSE"), false);
  assert.equal(parseTlsVerify("--tls-verify", "0"), false);
  assert.equal(parseTlsVerify("--tls-verify", undefined), undefined);
  assert.throws(
    () => parseTlsVerify("--tls-verify", "maybe"),
    new RangeError('Invalid --tls-verify "maybe": use true or false'),
  );
});
