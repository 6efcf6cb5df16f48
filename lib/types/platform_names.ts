/**
 * For platform.ts and the CLI's flag checks: the architecture and operating
 * system names images use (Go's GOARCH and GOOS, as OCI image configs write
 * them), the aliases platform.ts normalises, and the check of `--arch` /
 * `--os` values against them.
 *
 * @module
 */

/** Go's GOARCH names: what `platform.architecture` holds in OCI images. */
export const ARCHITECTURES: readonly string[] = [
  "386",
  "amd64",
  "amd64p32",
  "arm",
  "arm64",
  "arm64be",
  "armbe",
  "loong64",
  "mips",
  "mips64",
  "mips64le",
  "mips64p32",
  "mips64p32le",
  "mipsle",
  "ppc",
  "ppc64",
  "ppc64le",
  "riscv",
  "riscv64",
  "s390",
  "s390x",
  "sparc",
  "sparc64",
  "wasm",
];

/** Go's GOOS names: what `platform.os` holds in OCI images. */
export const OPERATING_SYSTEMS: readonly string[] = [
  "aix",
  "android",
  "darwin",
  "dragonfly",
  "freebsd",
  "hurd",
  "illumos",
  "ios",
  "js",
  "linux",
  "nacl",
  "netbsd",
  "openbsd",
  "plan9",
  "solaris",
  "wasip1",
  "windows",
  "zos",
];

/** Architecture names some tools write, and the GOARCH name they mean. */
export const ARCH_ALIASES: Readonly<
  Record<string, { architecture: string; variant?: string }>
> = {
  aarch64: { architecture: "arm64" },
  x86_64: { architecture: "amd64" },
  "x86-64": { architecture: "amd64" },
  i386: { architecture: "386" },
  i686: { architecture: "386" },
  armhf: { architecture: "arm", variant: "v7" },
  armel: { architecture: "arm", variant: "v6" },
  armv7l: { architecture: "arm", variant: "v7" },
  armv6l: { architecture: "arm", variant: "v6" },
};

/** Names images do not use, and what the user most likely meant. */
const ARCH_HINTS: Readonly<Record<string, string>> = {
  x86: "386 (32-bit) or amd64 (64-bit)",
  x64: "amd64",
  arm32: "arm",
  armv7: "arm",
  armv6: "arm",
  armv8: "arm64",
  ppc64el: "ppc64le",
};

const ARCH_NAMES = [...ARCHITECTURES, ...Object.keys(ARCH_ALIASES)];

function isArchitecture(name: string): boolean {
  return ARCH_NAMES.includes(name);
}

function isOs(name: string): boolean {
  return OPERATING_SYSTEMS.includes(name);
}

/** Edit distance counting a swap of two neighbours as one edit. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from(
    { length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i || j),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The name a typo most likely meant: the shortest name it begins, else the
 * closest name within one edit (two for values longer than three characters).
 */
function nearest(value: string, names: readonly string[]): string | undefined {
  if (value === "") return undefined;
  const longer = names.filter((n) => n.startsWith(value))
    .sort((a, b) => a.length - b.length);
  if (longer.length > 0) return longer[0];
  let best: string | undefined;
  let bestDistance = value.length <= 3 ? 2 : 3;
  for (const name of names) {
    const d = distance(value, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** `linux/arm64/v8`, `arm/v7`, `amd64/linux`: what the user meant, as flags. */
function slashProblem(value: string, what: string): string {
  const parts = value.split("/").filter((p) => p !== "");
  const os = parts.find(isOs);
  const arch = parts.find(isArchitecture);
  if (os !== undefined && arch !== undefined) {
    return `a platform, not ${what}: did you mean -a ${arch} --os ${os}?`;
  }
  if (arch !== undefined) {
    return `variants are not selected separately (-a ${arch} selects every variant): did you mean -a ${arch}?`;
  }
  if (os !== undefined) {
    return `a platform, not ${what}: did you mean --os ${os}?`;
  }
  return `a platform, not ${what}: give architectures with -a and operating systems with --os`;
}

/**
 * Why a `--arch` value is not an architecture images use, or `undefined`
 * when it is one (a GOARCH name or an alias such as `aarch64`). The value is
 * expected in lowercase, as `splitList` gives it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { architectureProblem } from "./platform_names.ts";
 * assert.equal(architectureProblem("aarch64"), undefined);
 * assert.equal(
 *   architectureProblem("linux/amd64"),
 *   "a platform, not an architecture: did you mean -a amd64 --os linux?",
 * );
 * assert.equal(
 *   architectureProblem("amd46"),
 *   "unknown architecture: did you mean amd64?",
 * );
 * ```
 */
export function architectureProblem(value: string): string | undefined {
  if (isArchitecture(value)) return undefined;
  if (value.includes("/")) return slashProblem(value, "an architecture");
  if (isOs(value)) {
    return `an operating system, not an architecture: did you mean --os ${value}?`;
  }
  const near = Object.hasOwn(ARCH_HINTS, value)
    ? ARCH_HINTS[value]
    : nearest(value, ARCH_NAMES);
  if (near !== undefined) return `unknown architecture: did you mean ${near}?`;
  return "unknown architecture: use names images use, such as amd64, arm64, arm, 386, ppc64le, s390x, riscv64";
}

/**
 * Why an `--os` value is not an operating system images use, or `undefined`
 * when it is one (a GOOS name). The value is expected in lowercase.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { osProblem } from "./platform_names.ts";
 * assert.equal(osProblem("windows"), undefined);
 * assert.equal(osProblem("linus"), "unknown operating system: did you mean linux?");
 * ```
 */
export function osProblem(value: string): string | undefined {
  if (isOs(value)) return undefined;
  if (value.includes("/")) return slashProblem(value, "an operating system");
  if (isArchitecture(value)) {
    return `an architecture, not an operating system: did you mean -a ${value}?`;
  }
  const near = nearest(value, OPERATING_SYSTEMS);
  if (near !== undefined) {
    return `unknown operating system: did you mean ${near}?`;
  }
  return "unknown operating system: use names images use, such as linux, windows, freebsd, darwin";
}
