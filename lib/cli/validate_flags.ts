/**
 * The `mirror-validate` command's flags, defaults and help text, as data
 * (lib/cli/flag_table.ts) read by the fast parser and by the commander
 * command alike. Turning the flag values into options is lib/cli/options.ts.
 *
 * @module
 */

import { VALIDATE_HELP } from "./command_help.ts";
import { collect, type CommandSpec, oneList } from "./flag_table.ts";

/** The flag values of `mirror-validate`, as commander's `opts()` gives them. */
export type ValidateFlags = {
  /** `-f, --file <file>`. */
  file: string;
  /** `-s, --source <registry>`. */
  source?: string | undefined;
  /** `-d, --destination <registry>`. */
  destination?: string | undefined;
  /** `-a, --arch <list>`. @default {"amd64,arm64"} */
  arch: string;
  /** `--os <list>`. @default {"linux,windows"} */
  os: string;
  /** `-j, --jobs <n>`. @default {"1"} */
  jobs: string;
  /** `-o, --output <file>`. @default {"mirror-validate-failed.txt"} */
  output: string;
  /** `--failed <file>` (hidden alias of --output). */
  failed?: string | undefined;
  /** `--tls-verify [bool]`. @default {"true"} */
  tlsVerify: string | true;
  /** `--src-tls-verify [bool]`. */
  srcTlsVerify?: string | true | undefined;
  /** `--dest-tls-verify [bool]`. */
  destTlsVerify?: string | true | undefined;
  /** `--cert-dir <dir>`. */
  certDir?: string | undefined;
  /** `--debug`. @default {false} */
  debug: boolean;
  /** `--default-project <name>`. @default {"library"} */
  defaultProject: string;
  /** `--source-project <name>`. */
  sourceProject?: string | undefined;
  /** `--destination-project <name>`. */
  destinationProject?: string | undefined;
  /** `--timeout <duration>`. @default {"10m"} */
  timeout: string;
  /** `--source-snapshot <file>`. */
  sourceSnapshot?: string | undefined;
  /** `--source-snapshot-digest <digest>`. */
  sourceSnapshotDigest?: string | undefined;
  /** `--source-layout <dir>`. */
  sourceLayout?: string | undefined;
  /** `--deep`. @default {false} */
  deep: boolean;
  /** `--referrers`. @default {false} */
  referrers: boolean;
  /** `--provenance [bool]`. @default {"false"} */
  provenance: string | true;
  /** `--report <format=file>`, repeatable. @default {[]} */
  report: string[];
  /** `-q, --quiet`. @default {false} */
  quiet: boolean;
  /** `--shard <i/n>`. */
  shard?: string | undefined;
  /** `--shards <n>`. */
  shards?: string | undefined;
  /** `--hide-log-time`. @default {false} */
  hideLogTime: boolean;
  /** `--skip-login`. @default {false} */
  skipLogin: boolean;
  /** `--overwrite [bool]` (hidden, hangar v1.7+). */
  overwrite?: string | true | undefined;
  /** `--remove-signatures [bool]` (hidden, hangar v1.7+). */
  removeSignatures?: string | true | undefined;
  /** `--sigstore-private-key <file>` (hidden, hangar v1.7+). */
  sigstorePrivateKey?: string | undefined;
  /** `--sigstore-passphrase-file <file>` (hidden, hangar v1.7+). */
  sigstorePassphraseFile?: string | undefined;
};

/**
 * The `mirror-validate` command (also `mirror validate`): description, flags
 * and help epilogue.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { VALIDATE_COMMAND } from "./validate_flags.ts";
 * const jobs = VALIDATE_COMMAND.flags.find((f) => f.flags === "-j, --jobs <n>");
 * assert.equal(jobs?.default, "1");
 * ```
 */
export const VALIDATE_COMMAND: CommandSpec = {
  description:
    "Validate that mirrored images in the destination registry are exactly what the source serves",
  flags: [
    {
      flags: "-f, --file <file>",
      description: "image list file, required (- for standard input)",
      parse: oneList,
      required: true,
    },
    {
      flags: "-s, --source <registry>",
      description: "source registry override (env SOURCE_REGISTRY)",
    },
    {
      flags: "-d, --destination <registry>",
      description: "destination registry override (env DEST_REGISTRY)",
    },
    {
      flags: "-a, --arch <list>",
      description: "architectures to check, comma separated",
      default: "amd64,arm64",
    },
    {
      flags: "--os <list>",
      description: "operating systems to check, comma separated",
      default: "linux,windows",
    },
    {
      flags: "-j, --jobs <n>",
      description: "images validated at once (1 to 20)",
      default: "1",
    },
    {
      flags: "-o, --output <file>",
      description: "file that receives the failed lines",
      default: "mirror-validate-failed.txt",
    },
    {
      flags: "--failed <file>",
      description: "alias of --output",
      hidden: true,
    },
    {
      flags: "--tls-verify [bool]",
      description: "verify TLS; false skips it and falls back to http",
      default: "true",
    },
    {
      flags: "--src-tls-verify [bool]",
      description: "verify TLS of the source registry",
    },
    {
      flags: "--dest-tls-verify [bool]",
      description: "verify TLS of the destination registry",
    },
    {
      flags: "--cert-dir <dir>",
      description:
        "directory of *.crt CAs and *.cert/*.key client certificates for every registry",
    },
    {
      flags: "--debug",
      description:
        "debug log, including srcSpec / dstSpec of every compared image",
      default: false,
    },
    {
      flags: "--default-project <name>",
      description:
        "project put in front of a one-segment destination name without a registry ('' for none)",
      default: "library",
    },
    {
      flags: "--source-project <name>",
      description: "replace the project of source names",
    },
    {
      flags: "--destination-project <name>",
      description: "replace the project of destination names",
    },
    {
      flags: "--timeout <duration>",
      description: "limit for one image, with a unit: 30s, 10m, 1h; 0 = none",
      default: "10m",
    },
    {
      flags: "--source-snapshot <file>",
      description:
        "validate against a snapshot of the source (hangar mirror snapshot): no request to the source",
    },
    {
      flags: "--source-snapshot-digest <digest>",
      description:
        "refuse the snapshot unless its file has this sha256 (sha256:<hex>)",
    },
    {
      flags: "--source-layout <dir>",
      description:
        "the source is an OCI image layout directory (skopeo copy --all ... oci:DIR:REF)",
    },
    {
      flags: "--deep",
      description:
        "also check that every blob of the selected platforms is in the destination (a pull will succeed)",
      default: false,
    },
    {
      flags: "--referrers",
      description:
        "also check that signatures, attestations and SBOMs referring to the image are in the destination",
      default: false,
    },
    {
      flags: "--provenance [bool]",
      description:
        "also check the BuildKit attestation manifests of the selected platforms (hangar v1.7+)",
      default: "false",
    },
    {
      flags: "--report <format=file>",
      description:
        "write a report: json, junit or markdown, to FILE (- for stdout); repeatable",
      parse: collect,
      default: [],
    },
    {
      flags: "-q, --quiet",
      description: "log only FAILED, invalid and WARN lines and the summary",
      default: false,
    },
    {
      flags: "--shard <i/n>",
      description: "validate only shard I of N of the list (1-based)",
    },
    {
      flags: "--shards <n>",
      description:
        "split the list into N shards; this one is JOB_COMPLETION_INDEX (0-based, a Kubernetes Indexed Job)",
    },
    {
      flags: "--hide-log-time",
      description: "log lines without the time (hangar v1.7+)",
      default: false,
    },
    {
      flags: "--skip-login",
      description:
        "accepted for hangar v1.7+ command lines: this command never prompts for a login",
      default: false,
    },
    { flags: "--overwrite [bool]", hidden: true },
    { flags: "--remove-signatures [bool]", hidden: true },
    { flags: "--sigstore-private-key <file>", hidden: true },
    { flags: "--sigstore-passphrase-file <file>", hidden: true },
  ],
  help: VALIDATE_HELP,
};
