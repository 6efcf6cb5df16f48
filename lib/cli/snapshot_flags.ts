/**
 * The `mirror snapshot` command's flags, defaults and help text, as data
 * (lib/cli/flag_table.ts) read by the fast parser and by the commander
 * command alike.
 *
 * @module
 */

import { SNAPSHOT_HELP } from "./command_help.ts";
import { type CommandSpec, oneList } from "./flag_table.ts";
import type { ValidateFlags } from "./validate_flags.ts";

/** The flag values of `mirror snapshot`, as commander's `opts()` gives them. */
export type SnapshotFlags =
  & Pick<
    ValidateFlags,
    | "file"
    | "source"
    | "destination"
    | "arch"
    | "os"
    | "jobs"
    | "tlsVerify"
    | "srcTlsVerify"
    | "certDir"
    | "debug"
    | "defaultProject"
    | "sourceProject"
    | "destinationProject"
    | "timeout"
    | "deep"
    | "referrers"
  >
  & {
    /** `-o, --output <file>`: the snapshot file. */
    output: string;
    /** `--failed <file>`. @default {"mirror-snapshot-failed.txt"} */
    failed: string;
  };

/**
 * The `mirror snapshot` command (also `mirror-snapshot`): description, flags
 * and help epilogue.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SNAPSHOT_COMMAND } from "./snapshot_flags.ts";
 * const output = SNAPSHOT_COMMAND.flags.find((f) => f.flags.includes("--output"));
 * assert.equal(output?.required, true);
 * ```
 */
export const SNAPSHOT_COMMAND: CommandSpec = {
  description:
    "Record what the source registry serves for every line of a list, to validate a mirror where the source cannot be reached",
  flags: [
    {
      flags: "-f, --file <file>",
      description: "image list file, required (- for standard input)",
      parse: oneList,
      required: true,
    },
    {
      flags: "-o, --output <file>",
      description:
        "snapshot file to write, required (a name ending in .gz is compressed)",
      required: true,
    },
    {
      flags: "--failed <file>",
      description: "file that receives the lines whose source failed",
      default: "mirror-snapshot-failed.txt",
    },
    {
      flags: "-s, --source <registry>",
      description: "source registry override (env SOURCE_REGISTRY)",
    },
    {
      flags: "-d, --destination <registry>",
      description:
        "destination registry override, only to read the list as mirror-validate does (never contacted)",
    },
    {
      flags: "-a, --arch <list>",
      description: "architectures to record",
      default: "amd64,arm64",
    },
    {
      flags: "--os <list>",
      description: "operating systems to record",
      default: "linux,windows",
    },
    {
      flags: "-j, --jobs <n>",
      description: "images read at once (1 to 20)",
      default: "1",
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
      flags: "--cert-dir <dir>",
      description:
        "directory of *.crt CAs and *.cert/*.key client certificates",
    },
    {
      flags: "--debug",
      description: "debug log, including the srcSpec of every image",
      default: false,
    },
    {
      flags: "--default-project <name>",
      description: "as mirror-validate's, so that lines resolve the same way",
      default: "library",
    },
    {
      flags: "--source-project <name>",
      description: "replace the project of source names",
    },
    {
      flags: "--destination-project <name>",
      description: "as mirror-validate's, so that lines resolve the same way",
    },
    {
      flags: "--timeout <duration>",
      description: "limit for one image, with a unit: 30s, 10m, 1h; 0 = none",
      default: "10m",
    },
    {
      flags: "--deep",
      description:
        "also record every selected platform manifest (what mirror-validate --deep reads)",
      default: false,
    },
    {
      flags: "--referrers",
      description:
        "also record the signatures, attestations and SBOMs found (for mirror-validate --referrers)",
      default: false,
    },
  ],
  help: SNAPSHOT_HELP,
};
