import assert from "node:assert/strict";
import { UsageError } from "../lib/errors.ts";
import {
  allSkippedMessage,
  noDestinationMessage,
} from "../lib/report/summary.ts";
import {
  checkCertDir,
  checkProject,
  checkRegistryName,
  checkSelection,
  parseTlsVerify,
  splitList,
  usageMessage,
} from "../lib/cli/support.ts";

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

// deno-fmt-ignore
const COMMANDER_MESSAGES: [string, string][] = [
  ["error: required option '-f, --file <file>' not specified", 'Required option "-f, --file <file>" not specified'],
  ["error: unknown option '--bogus'", 'Unknown option "--bogus"'],
  ["error: unknown option '--tls-verfy'\n(Did you mean --tls-verify?)", 'Unknown option "--tls-verfy": did you mean --tls-verify?'],
  ["error: option '-j, --jobs <n>' argument missing", 'Option "-j, --jobs <n>" argument missing'],
  ["error: unknown command 'mirror-vaildate'\n(Did you mean mirror-validate?)", 'Unknown command "mirror-vaildate": did you mean mirror-validate?'],
  ["error: too many arguments for 'mirror-validate'. Expected 0 arguments but got 1.", 'Too many arguments for "mirror-validate": expected 0 arguments but got 1'],
  ["error: missing required argument 'registry'", 'Missing required argument "registry"'],
];

for (const [input, expected] of COMMANDER_MESSAGES) {
  Deno.test(`usageMessage() rewrites ${JSON.stringify(input.slice(7, 40))} in the usage error style`, () => {
    assert.equal(usageMessage(input), expected);
  });
}

Deno.test("checkSelection() refuses empty lists and names images do not use, flag by flag", () => {
  checkSelection(["amd64", "x86_64", "386"], ["linux", "windows"]);
  // deno-fmt-ignore
  const cases: [string[], string[], string][] = [
    [[], ["linux"], "Invalid --arch: the list is empty"],
    [["amd64"], [], "Invalid --os: the list is empty"],
    [["amd64", "linux/arm64"], ["linux"], 'Invalid --arch "linux/arm64": a platform, not an architecture: did you mean -a arm64 --os linux?'],
    [["amd64"], ["linux", "windws"], 'Invalid --os "windws": unknown operating system: did you mean windows?'],
    [["linux"], ["linux"], 'Invalid --arch "linux": an operating system, not an architecture: did you mean --os linux?'],
  ];
  for (const [architectures, oses, message] of cases) {
    assert.throws(
      () => checkSelection(architectures, oses),
      new UsageError(message),
    );
  }
});

Deno.test("checkProject() accepts a path segment or nothing and refuses the rest", () => {
  checkProject("--default-project", undefined);
  checkProject("--default-project", "");
  checkProject("--default-project", "team-a");
  checkProject("--destination-project", "a/b");
  assert.throws(
    () => checkProject("--source-project", "a//b"),
    new UsageError(
      'Invalid --source-project "a//b": repository name has an empty path component',
    ),
  );
});

Deno.test("checkCertDir() accepts a directory and refuses a missing path or a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await checkCertDir(undefined);
    await checkCertDir(dir);
    await Deno.writeTextFile(`${dir}/ca.crt`, "");
    await assert.rejects(
      checkCertDir(`${dir}/ca.crt`),
      new UsageError(`Invalid --cert-dir "${dir}/ca.crt": not a directory`),
    );
    await assert.rejects(
      checkCertDir(`${dir}/none`),
      new UsageError(`Invalid --cert-dir "${dir}/none": no such directory`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("noDestinationMessage() and allSkippedMessage() count and name what they report", () => {
  assert.equal(
    noDestinationMessage(1, "l.txt:4"),
    "1 line names no destination registry (first: l.txt:4): give -d REGISTRY or set DEST_REGISTRY",
  );
  assert.equal(
    noDestinationMessage(2, "l.txt:1"),
    "2 lines name no destination registry (first: l.txt:1): give -d REGISTRY or set DEST_REGISTRY",
  );
  assert.equal(
    allSkippedMessage(["amd64", "arm64"], ["linux", "windows"]),
    "Every image was skipped: none has a platform in --arch amd64,arm64 --os linux,windows",
  );
});
