/**
 * The `mirror-validate` command for commander, and its flag values. The
 * flags themselves are data in lib/cli/validate_flags.ts; this module loads
 * commander, so cli.ts reaches it only through a dynamic import. Turning the
 * flag values into options is lib/cli/options.ts.
 *
 * @module
 */

export { validateCommand } from "./commander_commands.ts";
export type { ValidateFlags } from "./validate_flags.ts";
export { oneList } from "./flag_table.ts";
