/**
 * Platforms (os, architecture, variant) of images and index entries, and how
 * they are normalised, compared and selected.
 *
 * @module
 */

import { ARCH_ALIASES } from "./platform_names.ts";

/** The platform of an image, as OCI and Docker write it. */
export interface Platform {
  /** CPU architecture, e.g. `amd64`, `arm64`. */
  architecture: string;
  /** Operating system, e.g. `linux`, `windows`. */
  os: string;
  /** CPU variant, e.g. `v7` for `arm`. */
  variant?: string;
  /** Operating system version, e.g. `10.0.17763.1` on Windows. */
  "os.version"?: string;
  /** Required operating system features. */
  "os.features"?: string[];
}

/** Which platforms a run checks. */
export interface PlatformSelection {
  /** Architectures to check; aliases such as `aarch64` are accepted. */
  architectures: readonly string[];
  /** Operating systems to check. */
  oses: readonly string[];
}

/**
 * Normalises a platform: lowercase os, architecture and variant; architecture
 * aliases resolved (`aarch64` is `arm64`, `x86_64` is `amd64`, `i386` is `386`,
 * `armhf` is `arm/v7`, `armel` is `arm/v6`); the default variants dropped or
 * filled in (`arm64/v8` is `arm64`, `amd64/v1` is `amd64`, `arm` is
 * `arm/v7`); empty strings dropped.
 *
 * @example Usage
 * ```ts
 * import { normalizePlatform } from "./platform.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * deepStrictEqual(
 *   normalizePlatform({ os: "Linux", architecture: "aarch64", variant: "v8" }),
 *   { os: "linux", architecture: "arm64" },
 * );
 * deepStrictEqual(
 *   normalizePlatform({ os: "linux", architecture: "arm" }),
 *   { os: "linux", architecture: "arm", variant: "v7" },
 * );
 * ```
 *
 * @param platform The platform as found in a manifest or config.
 * @returns A new, normalised platform.
 */
export function normalizePlatform(platform: Platform): Platform {
  let architecture = (platform.architecture ?? "").trim().toLowerCase();
  let variant = (platform.variant ?? "").trim().toLowerCase();
  const alias = Object.hasOwn(ARCH_ALIASES, architecture)
    ? ARCH_ALIASES[architecture]
    : undefined;
  if (alias) {
    architecture = alias.architecture;
    if (variant === "" && alias.variant) variant = alias.variant;
  }
  if (architecture === "arm64" && variant === "v8") variant = "";
  if (architecture === "amd64" && variant === "v1") variant = "";
  if (architecture === "arm" && variant === "") variant = "v7";
  const result: Platform = {
    architecture,
    os: (platform.os ?? "").trim().toLowerCase(),
  };
  if (variant !== "") result.variant = variant;
  const osVersion = (platform["os.version"] ?? "").trim();
  if (osVersion !== "") result["os.version"] = osVersion;
  const features = (platform["os.features"] ?? []).filter((f) => f !== "");
  if (features.length > 0) result["os.features"] = features;
  return result;
}

/**
 * Tells whether a destination platform is the same as a source platform:
 * normalised os, architecture and variant equal, and `os.version` equal when
 * the source has one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { samePlatform } from "./platform.ts";
 * assert(samePlatform(
 *   { os: "linux", architecture: "arm64", variant: "v8" },
 *   { os: "linux", architecture: "aarch64" },
 * ));
 * assert(!samePlatform(
 *   { os: "linux", architecture: "arm", variant: "v6" },
 *   { os: "linux", architecture: "arm" },
 * ));
 * ```
 *
 * @param source The platform the source has.
 * @param destination The platform to compare with it.
 * @returns `true` when a client would get the same image on both.
 */
export function samePlatform(source: Platform, destination: Platform): boolean {
  const s = normalizePlatform(source);
  const d = normalizePlatform(destination);
  if (s.os !== d.os || s.architecture !== d.architecture) return false;
  if (s.variant !== d.variant) return false;
  const version = s["os.version"];
  return version === undefined || version === d["os.version"];
}

/**
 * Tells whether an index entry has no usable platform: none at all, or
 * `unknown` os or architecture (BuildKit attestation manifests).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUnknownPlatform } from "./platform.ts";
 * assert(isUnknownPlatform(undefined));
 * assert(isUnknownPlatform({ os: "unknown", architecture: "unknown" }));
 * assert(!isUnknownPlatform({ os: "linux", architecture: "amd64" }));
 * ```
 *
 * @param platform The platform of an entry, if any.
 * @returns `true` when the platform is absent or unknown.
 */
export function isUnknownPlatform(platform: Platform | undefined): boolean {
  if (platform === undefined) return true;
  const { os, architecture } = normalizePlatform(platform);
  return os === "" || architecture === "" || os === "unknown" ||
    architecture === "unknown";
}

/**
 * Tells whether a platform is among those a run checks. Unknown platforms are
 * never selected; architectures are compared after normalisation, so
 * `aarch64` selects `arm64` and `arm` selects every arm variant.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSelected } from "./platform.ts";
 * const selection = { architectures: ["aarch64"], oses: ["linux"] };
 * assert(isSelected({ os: "linux", architecture: "arm64" }, selection));
 * assert(!isSelected({ os: "linux", architecture: "amd64" }, selection));
 * assert(!isSelected(undefined, selection));
 * ```
 *
 * @param platform The platform of an image or entry, if any.
 * @param selection The architectures and operating systems to check.
 * @returns `true` when the platform is selected.
 */
export function isSelected(
  platform: Platform | undefined,
  selection: PlatformSelection,
): boolean {
  if (platform === undefined || isUnknownPlatform(platform)) return false;
  const { os, architecture } = normalizePlatform(platform);
  const architectures = selection.architectures.map((a) =>
    normalizePlatform({ architecture: a, os: "" }).architecture
  );
  const oses = selection.oses.map((o) => o.trim().toLowerCase());
  return architectures.includes(architecture) && oses.includes(os);
}

/**
 * Formats a platform as `os/architecture[/variant]`, with `os.version` after a
 * space when there is one. The platform is printed as given.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPlatform } from "./platform.ts";
 * assert(
 *   formatPlatform({ os: "linux", architecture: "arm", variant: "v7" }) ===
 *     "linux/arm/v7",
 * );
 * assert(
 *   formatPlatform({
 *     os: "windows",
 *     architecture: "amd64",
 *     "os.version": "10.0.17763.1",
 *   }) === "windows/amd64 10.0.17763.1",
 * );
 * ```
 *
 * @param platform The platform.
 * @returns The platform text.
 */
export function formatPlatform(platform: Platform): string {
  let text = `${platform.os}/${platform.architecture}`;
  if (platform.variant) text += `/${platform.variant}`;
  if (platform["os.version"]) text += ` ${platform["os.version"]}`;
  return text;
}
