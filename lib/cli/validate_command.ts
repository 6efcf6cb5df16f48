/**
 * The `mirror-validate` command's flags, defaults and help text, for cli.ts.
 * Turning the flag values into options is lib/cli/options.ts.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";

const VALIDATE_DESCRIPTION =
  "Validate that mirrored images in the destination registry are exactly what the source serves";

/**
 * The `mirror-validate` command (also `mirror validate`) with its flags and
 * help, without an action.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateCommand } from "./validate_command.ts";
 * const command = validateCommand("mirror-validate").exitOverride();
 * command.parse(["-f", "list.txt", "-j", "4"], { from: "user" });
 * assert.equal(command.opts().file, "list.txt");
 * assert.equal(command.opts().jobs, "4");
 * assert.equal(command.opts().timeout, "10m");
 * ```
 */
export function validateCommand(name: string) {
  return new Command(name)
    .description(VALIDATE_DESCRIPTION)
    .requiredOption(
      "-f, --file <file>",
      "image list file, required (- for standard input)",
      oneList,
    )
    .option(
      "-s, --source <registry>",
      "source registry override (env SOURCE_REGISTRY)",
    )
    .option(
      "-d, --destination <registry>",
      "destination registry override (env DEST_REGISTRY)",
    )
    .option(
      "-a, --arch <list>",
      "architectures to check, comma separated",
      "amd64,arm64",
    )
    .option(
      "--os <list>",
      "operating systems to check, comma separated",
      "linux,windows",
    )
    .option("-j, --jobs <n>", "images validated at once (1 to 20)", "1")
    .option(
      "-o, --output <file>",
      "file that receives the failed lines",
      "mirror-validate-failed.txt",
    )
    .addOption(new Option("--failed <file>", "alias of --output").hideHelp())
    .option(
      "--tls-verify [bool]",
      "verify TLS; false skips it and falls back to http",
      "true",
    )
    .option("--src-tls-verify [bool]", "verify TLS of the source registry")
    .option(
      "--dest-tls-verify [bool]",
      "verify TLS of the destination registry",
    )
    .option(
      "--cert-dir <dir>",
      "directory of *.crt CAs and *.cert/*.key client certificates for every registry",
    )
    .option(
      "--debug",
      "debug log, including srcSpec / dstSpec of every compared image",
      false,
    )
    .option(
      "--default-project <name>",
      "project put in front of a one-segment destination name without a registry ('' for none)",
      "library",
    )
    .option("--source-project <name>", "replace the project of source names")
    .option(
      "--destination-project <name>",
      "replace the project of destination names",
    )
    .option(
      "--timeout <duration>",
      "limit for one image, with a unit: 30s, 10m, 1h; 0 = none",
      "10m",
    )
    .option(
      "--source-snapshot <file>",
      "validate against a snapshot of the source (hangar mirror snapshot): no request to the source",
    )
    .option(
      "--source-snapshot-digest <digest>",
      "refuse the snapshot unless its file has this sha256 (sha256:<hex>)",
    )
    .option(
      "--source-layout <dir>",
      "the source is an OCI image layout directory (skopeo copy --all ... oci:DIR:REF)",
    )
    .option(
      "--deep",
      "also check that every blob of the selected platforms is in the destination (a pull will succeed)",
      false,
    )
    .option(
      "--referrers",
      "also check that signatures, attestations and SBOMs referring to the image are in the destination",
      false,
    )
    .option(
      "--provenance [bool]",
      "also check the BuildKit attestation manifests of the selected platforms (hangar v1.7+)",
      "false",
    )
    .option(
      "--report <format=file>",
      "write a report: json, junit or markdown, to FILE (- for stdout); repeatable",
      collect,
      [] as string[],
    )
    .option(
      "-q, --quiet",
      "log only FAILED, invalid and WARN lines and the summary",
      false,
    )
    .option(
      "--shard <i/n>",
      "validate only shard I of N of the list (1-based)",
    )
    .option(
      "--shards <n>",
      "split the list into N shards; this one is JOB_COMPLETION_INDEX (0-based, a Kubernetes Indexed Job)",
    )
    .option(
      "--hide-log-time",
      "log lines without the time (hangar v1.7+)",
      false,
    )
    .option(
      "--skip-login",
      "accepted for hangar v1.7+ command lines: this command never prompts for a login",
      false,
    )
    .addOption(new Option("--overwrite [bool]").hideHelp())
    .addOption(new Option("--remove-signatures [bool]").hideHelp())
    .addOption(new Option("--sigstore-private-key <file>").hideHelp())
    .addOption(new Option("--sigstore-passphrase-file <file>").hideHelp())
    .addHelpText("after", VALIDATE_HELP);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const VALIDATE_HELP = `
Image list (one entry a line; blank lines and lines starting with # or // are
skipped; a # after whitespace starts a trailing comment):
  default format  one reference; the same path on both sides, the
                  destination registry from -d or DEST_REGISTRY
                    rancher/rancher:v2.9.0
                    quay.io/a/b:1   # a comment
  mirror format   SOURCE DEST TAG, separated by spaces or tabs
                    docker.io/hello-world private.io/library/hello-world latest

Exit codes:
  0    nothing failed (skips allowed)
  1    an image failed or a line was invalid
  2    usage or setup error (bad flag, missing -f, unreadable list)
  130  interrupted (Ctrl-C / SIGTERM)

Examples:
  hangar mirror-validate -f list.txt -d private.registry.io -j 10
  hangar mirror-validate -f list.txt -d 127.0.0.1:5000 --tls-verify=false -a amd64 --os linux
  hangar mirror-validate -f mirror-validate-failed.txt -d private.registry.io -o still-failed.txt
  hangar mirror-validate -f list.txt -d private.registry.io --source-snapshot source.json.gz
  hangar mirror-validate -f list.txt -d private.registry.io --deep --referrers --report junit=report.xml
`;

/** The flag values of {@linkcode validateCommand}, as commander parses them. */
export type ValidateFlags = ReturnType<
  ReturnType<typeof validateCommand>["opts"]
>;

/** Refuses a second `-f`: one run reads one list. */
export function oneList(value: string, previous: string | undefined): string {
  if (previous !== undefined) {
    throw new UsageError(
      `Cannot read two image lists "${previous}" and "${value}": give -f once`,
    );
  }
  return value;
}
