/**
 * Runs the real CLI as a user without privileges, so that file permissions
 * apply even when the tests run as root (CI): as root, through
 * `setpriv --reuid=65534` (nobody) on a bundle of cli.ts and a copy of the
 * deno binary that nobody can read; otherwise as the current user.
 *
 * @module
 */

import { succeeds } from "./tools.ts";
import { cliPermissionArgs, cliPermissionFlags } from "./cli_permissions.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const NOBODY = 65534;

/** What {@linkcode UnprivilegedCli.run} gave. */
export interface UnprivilegedRun {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** The CLI, runnable without privileges. */
export interface UnprivilegedCli extends AsyncDisposable {
  /** The uid the CLI runs as. */
  uid: number;
  /** The gid the CLI runs as. */
  gid: number;
  /** Runs `hangar ARGS` with `NO_COLOR=1`. */
  run(args: string[]): Promise<UnprivilegedRun>;
}

/** Whether {@linkcode unprivilegedCli} can work on this machine. */
export const CAN_DROP_PRIVILEGES = Deno.build.os === "linux" &&
  (Deno.uid() !== 0 || await succeeds("setpriv", ["--version"]));

/**
 * Prepares the CLI to run without privileges; throws when
 * {@linkcode CAN_DROP_PRIVILEGES} is false.
 *
 * @example Usage
 * ```ts ignore
 * await using cli = await unprivilegedCli();
 * const run = await cli.run(["--version"]);
 * ```
 */
export async function unprivilegedCli(): Promise<UnprivilegedCli> {
  if (!CAN_DROP_PRIVILEGES) {
    throw new Error("Cannot drop privileges: not Linux, or setpriv missing");
  }
  const dir = await Deno.makeTempDir();
  const decoder = new TextDecoder();
  const collect = async (command: Deno.Command) => {
    const out = await command.output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  };
  const dispose = () => Deno.remove(dir, { recursive: true });
  if (Deno.uid() !== 0) {
    return {
      uid: Deno.uid()!,
      gid: Deno.gid()!,
      run: (args) =>
        collect(
          new Deno.Command(Deno.execPath(), {
            args: ["run", ...cliPermissionArgs(), `${ROOT}cli.ts`, ...args],
            cwd: ROOT,
            env: { NO_COLOR: "1" },
            stdin: "null",
          }),
        ),
      [Symbol.asyncDispose]: dispose,
    };
  }
  try {
    await Deno.chmod(dir, 0o755);
    const bundled = await collect(
      new Deno.Command(Deno.execPath(), {
        args: ["bundle", "--platform=deno", "cli.ts", "-o", `${dir}/hangar.js`],
        cwd: ROOT,
        stdin: "null",
      }),
    );
    if (bundled.code !== 0) {
      throw new Error(`Cannot bundle cli.ts: ${bundled.stderr}`);
    }
    await Deno.chmod(`${dir}/hangar.js`, 0o644);
    const asNobody = [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      "--clear-groups",
    ];
    let deno = Deno.execPath();
    if (!(await succeeds("setpriv", [...asNobody, deno, "--version"]))) {
      // Under /root (npx's cache): nobody cannot reach it, so use a copy.
      deno = `${dir}/deno`;
      await Deno.copyFile(Deno.execPath(), deno);
      await Deno.chmod(deno, 0o755);
    }
    await Deno.mkdir(`${dir}/deno_dir`, { mode: 0o777 });
    await Deno.chmod(`${dir}/deno_dir`, 0o777);
    return {
      uid: NOBODY,
      gid: NOBODY,
      run: (args) =>
        collect(
          new Deno.Command("setpriv", {
            args: [
              ...asNobody,
              deno,
              "run",
              ...cliPermissionFlags(),
              "--no-config",
              "--no-remote",
              "--no-npm",
              `${dir}/hangar.js`,
              ...args,
            ],
            cwd: dir,
            clearEnv: true,
            env: {
              NO_COLOR: "1",
              DENO_DIR: `${dir}/deno_dir`,
              HOME: `${dir}/deno_dir`,
              PATH: "/usr/bin:/bin",
            },
            stdin: "null",
          }),
        ),
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
