/**
 * The `mirror snapshot` command (also `mirror-snapshot`): its flags, and
 * their translation into the options of a validation run whose work is
 * reading the source. Run where the source is reachable; the snapshot is
 * carried into the air gap and given to `mirror-validate --source-snapshot`.
 * The flags are data in lib/cli/snapshot_flags.ts; the commander command is
 * built in lib/cli/commander_commands.ts. No commander here.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { sameFile } from "../run/list_files.ts";
import { checkSnapshotTarget } from "../sources/snapshot_file.ts";
import { type ValidateOptions, validateOptions } from "./options.ts";
import type { SnapshotFlags } from "./snapshot_flags.ts";
import type { ValidateFlags } from "./validate_flags.ts";

export type { SnapshotFlags };

/**
 * Destination registry given to default-format lines when the snapshot
 * command has no `-d`: the destination is never contacted.
 */
const NO_DESTINATION_NEEDED = "destination.invalid";

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
