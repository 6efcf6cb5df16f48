/**
 * The `mirror snapshot` command (also `mirror-snapshot`): its flags, and
 * their translation into the options of a validation run whose work is
 * reading the source. Run where the source is reachable; the snapshot is
 * carried into the air gap and given to `mirror-validate --source-snapshot`.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";
import { sameFile } from "../run/list_files.ts";
import { checkSnapshotTarget } from "../sources/snapshot_file.ts";
import { type ValidateOptions, validateOptions } from "./options.ts";
import { oneList, type ValidateFlags } from "./validate_command.ts";

/**
 * Destination registry given to default-format lines when the snapshot
 * command has no `-d`: the destination is never contacted.
 */
const NO_DESTINATION_NEEDED = "destination.invalid";

/**
 * The `mirror snapshot` command with its flags and help, without an action.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { snapshotCommand } from "./snapshot_command.ts";
 * const command = snapshotCommand("snapshot").exitOverride();
 * command.parse(["-f", "list.txt", "-o", "s.json"], { from: "user" });
 * assert.equal(command.opts().output, "s.json");
 * assert.equal(command.opts().failed, "mirror-snapshot-failed.txt");
 * ```
 */
export function snapshotCommand(name: string) {
  return new Command(name)
    .description(
      "Record what the source registry serves for every line of a list, to validate a mirror where the source cannot be reached",
    )
    .requiredOption(
      "-f, --file <file>",
      "image list file, required (- for standard input)",
      oneList,
    )
    .requiredOption(
      "-o, --output <file>",
      "snapshot file to write, required (a name ending in .gz is compressed)",
    )
    .option(
      "--failed <file>",
      "file that receives the lines whose source failed",
      "mirror-snapshot-failed.txt",
    )
    .option(
      "-s, --source <registry>",
      "source registry override (env SOURCE_REGISTRY)",
    )
    .option(
      "-d, --destination <registry>",
      "destination registry override, only to read the list as mirror-validate does (never contacted)",
    )
    .option("-a, --arch <list>", "architectures to record", "amd64,arm64")
    .option("--os <list>", "operating systems to record", "linux,windows")
    .option("-j, --jobs <n>", "images read at once (1 to 20)", "1")
    .option(
      "--tls-verify [bool]",
      "verify TLS; false skips it and falls back to http",
      "true",
    )
    .option("--src-tls-verify [bool]", "verify TLS of the source registry")
    .option(
      "--cert-dir <dir>",
      "directory of *.crt CAs and *.cert/*.key client certificates",
    )
    .option("--debug", "debug log, including the srcSpec of every image", false)
    .option(
      "--default-project <name>",
      "as mirror-validate's, so that lines resolve the same way",
      "library",
    )
    .option("--source-project <name>", "replace the project of source names")
    .option(
      "--destination-project <name>",
      "as mirror-validate's, so that lines resolve the same way",
    )
    .option(
      "--timeout <duration>",
      "limit for one image, with a unit: 30s, 10m, 1h; 0 = none",
      "10m",
    )
    .option(
      "--deep",
      "also record every selected platform manifest (what mirror-validate --deep reads)",
      false,
    )
    .option(
      "--referrers",
      "also record the signatures, attestations and SBOMs found (for mirror-validate --referrers)",
      false,
    )
    .addHelpText("after", SNAPSHOT_HELP);
}

const SNAPSHOT_HELP = `
The snapshot holds, for every line, the resolved source reference, its
digest, and the manifests and configs the verdict rules read, each stored with
its digest. The command prints the snapshot file's sha256; pin it on the other
side with --source-snapshot-digest.

Exit codes: 0 every source recorded; 1 a source failed or a line was invalid
(the snapshot holds the rest); 2 usage error or the snapshot cannot be written;
130 interrupted (the snapshot is not written).

Examples:
  hangar mirror snapshot -f list.txt -o source.json.gz -j 10
  hangar mirror-validate -f list.txt -d private.registry.io --source-snapshot source.json.gz
`;

/** The flag values of {@linkcode snapshotCommand}. */
export type SnapshotFlags = ReturnType<
  ReturnType<typeof snapshotCommand>["opts"]
>;

/** The checked options of one `mirror snapshot` run. */
export interface SnapshotOptions extends ValidateOptions {
  /** Where the snapshot goes. */
  snapshotFile: string;
}

/**
 * Checks the flags of `mirror snapshot` as `mirror-validate` checks its own,
 * and the snapshot's path, then opens the list.
 */
export async function snapshotOptions(
  flags: SnapshotFlags,
  options: Parameters<typeof validateOptions>[1],
): Promise<SnapshotOptions> {
  const snapshotFile = flags.output;
  await checkSnapshotTarget(snapshotFile);
  if (snapshotFile === flags.failed) {
    throw new UsageError(
      `Cannot write snapshot "${snapshotFile}": it is also the failed file (--failed)`,
    );
  }
  if (flags.file !== "-" && sameFile(flags.file, snapshotFile)) {
    throw new UsageError(
      `Cannot write snapshot "${snapshotFile}": it is the image list given to -f`,
    );
  }
  const validateFlags: ValidateFlags = {
    ...flags,
    provenance: "false",
    report: [],
    quiet: false,
    hideLogTime: false,
    skipLogin: false,
    output: flags.failed,
    destination: flags.destination ??
      (options.env.DEST_REGISTRY || NO_DESTINATION_NEEDED),
  };
  const checked = await validateOptions(validateFlags, options);
  return { ...checked, snapshotFile };
}
