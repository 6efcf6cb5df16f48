// --shard I/N and --shards N end to end: three shards of the integration list
// (real distribution registries) together report every line of an unsharded
// run exactly once, with the same verdicts; repeated pairs stay together; the
// README's jq merge gives the unsharded counts back.

import assert from "node:assert/strict";
import { runCli, timeless } from "./support/cli_run.ts";
import { buildWorld, worldLines } from "./support/mirror_world.ts";
import { type JsonReportRead, readJsonReport } from "./support/report_check.ts";
import { writeReportList } from "./support/report_list.ts";
import { hasTool } from "./support/tools.ts";
import { parseListLine } from "../lib/list/image_list.ts";
import { shardOf } from "../lib/run/shard.ts";

const README = new URL("../README.md", import.meta.url);

/** What must agree between a shard and the whole run, by line number. */
function byLine(reports: JsonReportRead[]) {
  const rows = reports.flatMap((r) => r.lines).map((l) =>
    [
      l.line,
      [l.text, l.source, l.destination, l.status, l.kind, l.reason],
    ] as const
  );
  return rows.sort((a, b) => a[0] - b[0]);
}

Deno.test("mirror-validate --shard I/N splits the integration list exactly", async (t) => {
  const world = await buildWorld();
  const dir = await Deno.makeTempDir();
  const s = world.src.host;
  const d = world.dst.host;
  try {
    // Lines 16-20 write line 2's pair other ways; line 21 repeats line 2.
    const pair = [`${s}/lib/docker-list`, `${d}/lib/docker-list`, "1"];
    const lines = [
      ...worldLines(world),
      pair.join("\t"),
      pair.join("  "),
      pair.join(" \t "),
      `${pair.join(" ")}  # the same pair`,
      `${pair.join("   ")}\t# again`,
    ];
    // A line's shard hashes its references, ports included: whatever ports
    // the registries got, missing images are added until shards 1-3 each
    // hold a line (otherwise a run now and then splits degenerately).
    const owned = new Set(
      lines.map((text) => parseListLine(text, 0))
        .filter((item) => item !== undefined)
        .map((item) => shardOf(item, 3)),
    );
    for (let k = 0; owned.size < 3; k++) {
      const pad = `${s}/lib/shard-pad-${k} ${d}/lib/shard-pad-${k} 1`;
      const shard = shardOf(parseListLine(pad, 0)!, 3);
      if (!owned.has(shard)) {
        lines.push(pad);
        owned.add(shard);
      }
    }
    const list = await writeReportList(`${dir}/list.txt`, lines);
    const validate = async (name: string, flags: string[], env = {}) => {
      const run = timeless(
        await runCli([
          ...["mirror-validate", "-f", list.path, "--tls-verify=false"],
          ...["-j", "4", "-o", `${dir}/failed-${name}.txt`],
          ...["--report", `json=${dir}/${name}.json`, ...flags],
        ], { env }),
      );
      const report = readJsonReport(
        await Deno.readTextFile(`${dir}/${name}.json`),
      );
      const failed = await Deno.readTextFile(`${dir}/failed-${name}.txt`)
        .then((text) => text.split("\n").filter((l) => l !== ""))
        .catch(() => [] as string[]);
      return { run, report, failed };
    };
    const whole = await validate("whole", []);
    assert.equal(whole.run.code, 1);
    assert.equal(whole.report.summary.total, list.lines.size);
    const shards: Awaited<ReturnType<typeof validate>>[] = [];
    for (const index of [1, 2, 3]) {
      shards.push(await validate(`shard-${index}`, ["--shard", `${index}/3`]));
    }

    await t.step(
      "the shards' JSON reports hold every line once with the unsharded verdicts",
      () => {
        assert.deepEqual(
          byLine(shards.map((s) => s.report)),
          byLine([whole.report]),
        );
        for (const shard of shards) {
          assert.ok(
            shard.report.lines.length > 0,
            "the split is not degenerate",
          );
        }
        const counts = (r: JsonReportRead) => {
          const { passed, skipped, failed, invalid, notRun, total } = r.summary;
          return [total, passed, skipped, failed, invalid, notRun];
        };
        const sums = shards.map((s) => counts(s.report))
          .reduce((a, b) => a.map((n, i) => n + b[i]!));
        assert.deepEqual(sums, counts(whole.report));
      },
    );

    await t.step(
      "each shard exits 1 only when it holds a failed or invalid line",
      () => {
        for (const shard of shards) {
          const bad = shard.report.summary.failed +
            shard.report.summary.invalid;
          assert.equal(shard.run.code, bad > 0 ? 1 : 0, shard.run.text);
          assert.match(
            shard.run.stdout,
            new RegExp(
              `^\\[INFO\\] Validated ${shard.report.lines.length} lines? in `,
              "m",
            ),
          );
        }
      },
    );

    await t.step(
      "the shards' failed files together are the unsharded one",
      () => {
        assert.deepEqual(
          shards.flatMap((s) => s.failed).sort(),
          [...whole.failed].sort(),
        );
      },
    );

    await t.step(
      "a pair written twice lands in one shard; invalid lines in shard 1",
      () => {
        const owner = (line: number) =>
          shards.findIndex((s) => s.report.lines.some((l) => l.line === line));
        for (const line of [16, 17, 18, 19, 20, 21]) {
          assert.equal(owner(line), owner(2), `line ${line}`);
        }
        const invalid = whole.report.lines.filter((l) =>
          l.status === "invalid"
        );
        assert.deepEqual(invalid.map((l) => owner(l.line)), [0, 0, 0]);
      },
    );

    await t.step(
      "--shards 3 with JOB_COMPLETION_INDEX 0..2 gives the same split",
      async () => {
        for (const index of [0, 1, 2]) {
          const indexed = await validate(
            `indexed-${index}`,
            ["--shards", "3"],
            {
              JOB_COMPLETION_INDEX: String(index),
            },
          );
          assert.deepEqual(
            byLine([indexed.report]),
            byLine([shards[index]!.report]),
          );
          assert.equal(indexed.run.code, shards[index]!.run.code);
        }
      },
    );

    await t.step({
      name:
        "the README's cat + jq merge gives one report with the unsharded counts",
      ignore: !(await hasTool("jq")),
      fn: async () => {
        const readme = await Deno.readTextFile(README);
        const program =
          /\ncat shard-\*\.json \| jq -c -s '([^']+)' > report\.json\n/
            .exec(readme)?.[1];
        assert.ok(program, "README.md shows the merge");
        const shardText = await Promise.all(
          [1, 2, 3].map((i) => Deno.readTextFile(`${dir}/shard-${i}.json`)),
        );
        const jq = new Deno.Command("jq", {
          args: ["-c", "-s", program],
          stdin: "piped",
          stdout: "piped",
        }).spawn();
        const writer = jq.stdin.getWriter();
        await writer.write(new TextEncoder().encode(shardText.join("")));
        await writer.close();
        const output = await jq.output();
        assert.ok(output.success);
        const merged = new TextDecoder().decode(output.stdout).trimEnd().split(
          "\n",
        )
          .map((row) => JSON.parse(row));
        const summary = merged.pop();
        assert.deepEqual(
          merged.map((l) => l.line),
          whole.report.lines.map((l) => l.line).sort((a, b) => a - b),
        );
        const { durationMs: _, ...counts } = whole.report.summary;
        const { durationMs: __, shards: count, ...mergedCounts } = summary;
        assert.deepEqual(mergedCounts, counts);
        assert.equal(count, 3);
      },
    });
  } finally {
    await world.src.stop();
    await world.dst.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a shard that holds no line of the list says so, writes an empty report and exits 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/list`, "src.test/a dst.test/a 1\n");
    const runs = [];
    for (const index of [1, 2]) {
      let requests = 0;
      const run = timeless(
        await runCli([
          ...["mirror-validate", "-f", `${dir}/list`, "-o", `${dir}/failed`],
          ...["--shard", `${index}/2`, "--report", `json=${dir}/${index}.json`],
        ], {
          // a web server, not a registry: the line fails without retries
          fetch:
            () => (requests++,
              Promise.resolve(new Response(null, { status: 404 }))),
        }),
      );
      const report = readJsonReport(
        await Deno.readTextFile(`${dir}/${index}.json`),
      );
      runs.push({ index, run, report, requests });
    }
    const empty = runs.filter((r) => r.report.summary.total === 0);
    assert.equal(empty.length, 1);
    const { index, run, requests } = empty[0]!;
    assert.deepEqual(run, {
      code: 0,
      stdout: `[INFO] Shard ${index}/2 holds no line of "${dir}/list"\n`,
      stderr: "",
      text: `[INFO] Shard ${index}/2 holds no line of "${dir}/list"\n`,
    });
    assert.equal(requests, 0);
    const other = runs.find((r) => r !== empty[0])!;
    assert.equal(other.report.lines.length, 1);
    assert.equal(other.run.code, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
