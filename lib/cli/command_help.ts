/**
 * The text printed after the help of `mirror-validate` and `mirror
 * snapshot`: list format, exit codes, examples. Data for the flag tables.
 *
 * @module
 */

/**
 * The help epilogue of `mirror-validate`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { VALIDATE_HELP } from "./command_help.ts";
 * assert.match(VALIDATE_HELP, /Exit codes/);
 * ```
 */
export const VALIDATE_HELP: string = `
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

/**
 * The help epilogue of `mirror snapshot`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SNAPSHOT_HELP } from "./command_help.ts";
 * assert.match(SNAPSHOT_HELP, /Exit codes/);
 * ```
 */
export const SNAPSHOT_HELP: string = `
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
