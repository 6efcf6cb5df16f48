import { deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  formatPlatform,
  isSelected,
  isUnknownPlatform,
  normalizePlatform,
  type Platform,
  samePlatform,
} from "../lib/types/platform.ts";
import {
  ARCH_ALIASES,
  architectureProblem,
  ARCHITECTURES,
  OPERATING_SYSTEMS,
  osProblem,
} from "../lib/types/platform_names.ts";

const WIN = "10.0.17763.1";

// deno-fmt-ignore
const NORMALISED: [Platform, Platform][] = [
  [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "amd64" }],
  [{ os: "Linux", architecture: "AMD64" }, { os: "linux", architecture: "amd64" }],
  [{ os: "linux", architecture: "x86_64" }, { os: "linux", architecture: "amd64" }],
  [{ os: "linux", architecture: "x86-64" }, { os: "linux", architecture: "amd64" }],
  [{ os: "linux", architecture: "amd64", variant: "v1" }, { os: "linux", architecture: "amd64" }],
  [{ os: "linux", architecture: "amd64", variant: "v3" }, { os: "linux", architecture: "amd64", variant: "v3" }],
  [{ os: "linux", architecture: "aarch64" }, { os: "linux", architecture: "arm64" }],
  [{ os: "linux", architecture: "arm64", variant: "v8" }, { os: "linux", architecture: "arm64" }],
  [{ os: "linux", architecture: "aarch64", variant: "V8" }, { os: "linux", architecture: "arm64" }],
  [{ os: "linux", architecture: "arm64", variant: "v9" }, { os: "linux", architecture: "arm64", variant: "v9" }],
  [{ os: "linux", architecture: "arm" }, { os: "linux", architecture: "arm", variant: "v7" }],
  [{ os: "linux", architecture: "arm", variant: "" }, { os: "linux", architecture: "arm", variant: "v7" }],
  [{ os: "linux", architecture: "arm", variant: "v6" }, { os: "linux", architecture: "arm", variant: "v6" }],
  [{ os: "linux", architecture: "armhf" }, { os: "linux", architecture: "arm", variant: "v7" }],
  [{ os: "linux", architecture: "armel" }, { os: "linux", architecture: "arm", variant: "v6" }],
  [{ os: "linux", architecture: "armv7l" }, { os: "linux", architecture: "arm", variant: "v7" }],
  [{ os: "linux", architecture: "i386" }, { os: "linux", architecture: "386" }],
  [{ os: "linux", architecture: "i686" }, { os: "linux", architecture: "386" }],
  [{ os: "linux", architecture: "s390x", variant: "" }, { os: "linux", architecture: "s390x" }],
  [{ os: "linux", architecture: "ppc64le", "os.version": "" }, { os: "linux", architecture: "ppc64le" }],
  [{ os: "Windows", architecture: "amd64", "os.version": WIN, "os.features": ["win32k", ""] }, { os: "windows", architecture: "amd64", "os.version": WIN, "os.features": ["win32k"] }],
  [{ os: "linux", architecture: "amd64", "os.features": [""] }, { os: "linux", architecture: "amd64" }],
];

for (const [input, expected] of NORMALISED) {
  Deno.test(`normalizePlatform() normalises ${JSON.stringify(input)}`, () => {
    deepStrictEqual(normalizePlatform(input), expected);
  });
}

Deno.test("normalizePlatform() does not change its argument", () => {
  const input: Platform = {
    os: "Linux",
    architecture: "aarch64",
    variant: "v8",
  };
  normalizePlatform(input);
  deepStrictEqual(input, {
    os: "Linux",
    architecture: "aarch64",
    variant: "v8",
  });
});

// deno-fmt-ignore
const SAME: [Platform, Platform, boolean][] = [
  [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "amd64" }, true],
  [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "x86_64" }, true],
  [{ os: "linux", architecture: "arm64", variant: "v8" }, { os: "linux", architecture: "arm64" }, true],
  [{ os: "linux", architecture: "arm64" }, { os: "linux", architecture: "aarch64", variant: "v8" }, true],
  [{ os: "linux", architecture: "arm" }, { os: "linux", architecture: "arm", variant: "v7" }, true],
  [{ os: "linux", architecture: "arm", variant: "v7" }, { os: "linux", architecture: "armhf" }, true],
  [{ os: "linux", architecture: "arm", variant: "v6" }, { os: "linux", architecture: "arm" }, false],
  [{ os: "linux", architecture: "arm", variant: "v6" }, { os: "linux", architecture: "arm", variant: "v7" }, false],
  [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }, false],
  [{ os: "linux", architecture: "amd64" }, { os: "windows", architecture: "amd64" }, false],
  [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "amd64", variant: "v3" }, false],
  [{ os: "windows", architecture: "amd64", "os.version": WIN }, { os: "windows", architecture: "amd64", "os.version": WIN }, true],
  [{ os: "windows", architecture: "amd64", "os.version": WIN }, { os: "windows", architecture: "amd64", "os.version": "10.0.20348.1" }, false],
  [{ os: "windows", architecture: "amd64", "os.version": WIN }, { os: "windows", architecture: "amd64" }, false],
  [{ os: "windows", architecture: "amd64" }, { os: "windows", architecture: "amd64", "os.version": WIN }, true],
  [{ os: "linux", architecture: "amd64", "os.features": ["a"] }, { os: "linux", architecture: "amd64" }, true],
];

for (const [source, destination, expected] of SAME) {
  Deno.test(
    `samePlatform() says ${expected} for ${formatPlatform(source)} vs ${
      formatPlatform(destination)
    }`,
    () => {
      strictEqual(samePlatform(source, destination), expected);
    },
  );
}

Deno.test("isUnknownPlatform() flags missing and unknown/unknown platforms", () => {
  strictEqual(isUnknownPlatform(undefined), true);
  strictEqual(
    isUnknownPlatform({ os: "unknown", architecture: "unknown" }),
    true,
  );
  strictEqual(
    isUnknownPlatform({ os: "unknown", architecture: "amd64" }),
    true,
  );
  strictEqual(
    isUnknownPlatform({ os: "linux", architecture: "Unknown" }),
    true,
  );
  strictEqual(isUnknownPlatform({ os: "", architecture: "amd64" }), true);
  strictEqual(isUnknownPlatform({ os: "linux", architecture: "amd64" }), false);
  strictEqual(
    isUnknownPlatform({ os: "windows", architecture: "arm64" }),
    false,
  );
});

const DEFAULT_SELECTION = {
  architectures: ["amd64", "arm64"],
  oses: ["linux", "windows"],
};

// deno-fmt-ignore
const SELECTED: [
  Platform | undefined,
  readonly string[],
  readonly string[],
  boolean,
][] = [
  [{ os: "linux", architecture: "amd64" }, ["amd64", "arm64"], ["linux", "windows"], true],
  [{ os: "linux", architecture: "arm64", variant: "v8" }, ["amd64", "arm64"], ["linux"], true],
  [{ os: "linux", architecture: "arm64" }, ["aarch64"], ["linux"], true],
  [{ os: "linux", architecture: "aarch64" }, ["arm64"], ["linux"], true],
  [{ os: "linux", architecture: "x86_64" }, ["amd64"], ["linux"], true],
  [{ os: "linux", architecture: "arm", variant: "v6" }, ["arm"], ["linux"], true],
  [{ os: "linux", architecture: "arm", variant: "v7" }, ["arm"], ["linux"], true],
  [{ os: "linux", architecture: "arm" }, ["armhf"], ["linux"], true],
  [{ os: "Linux", architecture: "AMD64" }, ["amd64"], ["linux"], true],
  [{ os: "linux", architecture: "amd64" }, ["AMD64"], ["LINUX"], true],
  [{ os: "windows", architecture: "amd64", "os.version": WIN }, ["amd64"], ["windows"], true],
  [{ os: "linux", architecture: "arm", variant: "v7" }, ["amd64", "arm64"], ["linux", "windows"], false],
  [{ os: "linux", architecture: "s390x" }, ["amd64", "arm64"], ["linux", "windows"], false],
  [{ os: "windows", architecture: "amd64" }, ["amd64"], ["linux"], false],
  [{ os: "darwin", architecture: "arm64" }, ["amd64", "arm64"], ["linux", "windows"], false],
  [{ os: "unknown", architecture: "unknown" }, ["unknown"], ["unknown"], false],
  [undefined, ["amd64"], ["linux"], false],
  [{ os: "linux", architecture: "amd64" }, [], ["linux"], false],
  [{ os: "linux", architecture: "amd64" }, ["amd64"], [], false],
];

for (const [platform, architectures, oses, expected] of SELECTED) {
  const name = platform ? formatPlatform(platform) : "no platform";
  Deno.test(`isSelected() says ${expected} for ${name} in ${architectures}/${oses}`, () => {
    strictEqual(isSelected(platform, { architectures, oses }), expected);
  });
}

Deno.test("isSelected() with the default selection skips attestations", () => {
  strictEqual(
    isSelected({ os: "unknown", architecture: "unknown" }, DEFAULT_SELECTION),
    false,
  );
  strictEqual(
    isSelected({ os: "linux", architecture: "amd64" }, DEFAULT_SELECTION),
    true,
  );
});

Deno.test("formatPlatform() writes os/architecture[/variant][ os.version]", () => {
  const cases: [Platform, string][] = [
    [{ os: "linux", architecture: "amd64" }, "linux/amd64"],
    [{ os: "linux", architecture: "arm", variant: "v7" }, "linux/arm/v7"],
    [{ os: "linux", architecture: "arm64", variant: "v8" }, "linux/arm64/v8"],
    [
      { os: "windows", architecture: "amd64", "os.version": WIN },
      `windows/amd64 ${WIN}`,
    ],
    [{ os: "linux", architecture: "amd64", variant: "" }, "linux/amd64"],
  ];
  for (const [platform, expected] of cases) {
    strictEqual(formatPlatform(platform), expected);
  }
});

Deno.test("architectureProblem() accepts every GOARCH name and every alias normalizePlatform() knows", () => {
  for (const name of [...ARCHITECTURES, ...Object.keys(ARCH_ALIASES)]) {
    strictEqual(architectureProblem(name), undefined, name);
  }
  strictEqual(ARCHITECTURES.length, 24);
  strictEqual(
    normalizePlatform({ os: "linux", architecture: "armv7l" }).variant,
    "v7",
  );
});

Deno.test("osProblem() accepts every GOOS name", () => {
  for (const name of OPERATING_SYSTEMS) strictEqual(osProblem(name), undefined);
  strictEqual(OPERATING_SYSTEMS.length, 18);
});

// deno-fmt-ignore
const BAD_ARCHITECTURES: [string, string][] = [
  ["linux/amd64", "a platform, not an architecture: did you mean -a amd64 --os linux?"],
  ["linux/arm/v7", "a platform, not an architecture: did you mean -a arm --os linux?"],
  ["amd64/windows", "a platform, not an architecture: did you mean -a amd64 --os windows?"],
  ["arm/v7", "variants are not selected separately (-a arm selects every variant): did you mean -a arm?"],
  ["arm64/v8", "variants are not selected separately (-a arm64 selects every variant): did you mean -a arm64?"],
  ["linux/", "a platform, not an architecture: did you mean --os linux?"],
  ["foo/bar", "a platform, not an architecture: give architectures with -a and operating systems with --os"],
  ["linux", "an operating system, not an architecture: did you mean --os linux?"],
  ["amd46", "unknown architecture: did you mean amd64?"],
  ["amd", "unknown architecture: did you mean amd64?"],
  ["arm65", "unknown architecture: did you mean arm64?"],
  ["aarch46", "unknown architecture: did you mean aarch64?"],
  ["x86_46", "unknown architecture: did you mean x86_64?"],
  ["s930x", "unknown architecture: did you mean s390x?"],
  ["x86", "unknown architecture: did you mean 386 (32-bit) or amd64 (64-bit)?"],
  ["armv8", "unknown architecture: did you mean arm64?"],
  ["ppc64el", "unknown architecture: did you mean ppc64le?"],
  ["sparkle", "unknown architecture: use names images use, such as amd64, arm64, arm, 386, ppc64le, s390x, riscv64"],
  ["constructor", "unknown architecture: use names images use, such as amd64, arm64, arm, 386, ppc64le, s390x, riscv64"],
  ["*", "unknown architecture: use names images use, such as amd64, arm64, arm, 386, ppc64le, s390x, riscv64"],
];

for (const [value, expected] of BAD_ARCHITECTURES) {
  Deno.test(`architectureProblem() says what "${value}" is`, () => {
    strictEqual(architectureProblem(value), expected);
  });
}

// deno-fmt-ignore
const BAD_OSES: [string, string][] = [
  ["linux/amd64", "a platform, not an operating system: did you mean -a amd64 --os linux?"],
  ["windows/arm64/v8", "a platform, not an operating system: did you mean -a arm64 --os windows?"],
  ["arm/v7", "variants are not selected separately (-a arm selects every variant): did you mean -a arm?"],
  ["amd64", "an architecture, not an operating system: did you mean -a amd64?"],
  ["linus", "unknown operating system: did you mean linux?"],
  ["win", "unknown operating system: did you mean windows?"],
  ["widnows", "unknown operating system: did you mean windows?"],
  ["macos", "unknown operating system: use names images use, such as linux, windows, freebsd, darwin"],
  ["unknown", "unknown operating system: use names images use, such as linux, windows, freebsd, darwin"],
];

for (const [value, expected] of BAD_OSES) {
  Deno.test(`osProblem() says what "${value}" is`, () => {
    strictEqual(osProblem(value), expected);
  });
}
