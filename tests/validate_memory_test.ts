// Memory of a long run: what validateList keeps of an image once its line is
// done. A run of 100,000 distinct lines must stay under 150 MB (see
// scripts/_bench_memory.ts); these tests pin the leaks that broke it.

import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { type ListItem, parseListLine } from "../lib/list/image_list.ts";
import { type ManifestSource, validateList } from "../lib/verdict/validate.ts";

/** V8's `gc()`, without starting the test runner with `--expose-gc`. */
function exposeGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  v8.setFlagsFromString("--no-expose-gc");
  return gc;
}

const DIGEST = `sha256:${"a".repeat(64)}`;
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** Every image identical on both sides; remembers the signal of each call. */
function recordingSource(signals: WeakRef<AbortSignal>[]): ManifestSource {
  return {
    resolveManifest(_repository, _reference, signal) {
      if (signal) signals.push(new WeakRef(signal));
      return Promise.resolve({ digest: DIGEST, mediaType: OCI_MANIFEST });
    },
    getManifest: () => Promise.reject(new Error("not called")),
    getBlob: () => Promise.reject(new Error("not called")),
  };
}

function distinctLines(count: number): ListItem[] {
  return Array.from(
    { length: count },
    (_, i) => parseListLine(`src.io/a/r${i} dst.io/a/r${i} v1`, i + 1)!,
  );
}

Deno.test("validateList() lets each image's signal be collected while the run goes on", async () => {
  const gc = exposeGc();
  const signals: WeakRef<AbortSignal>[] = [];
  const source = recordingSource(signals);
  let results = 0;
  let passed = 0;
  let kept = -1;
  let checked = 0;
  for await (
    const result of validateList(distinctLines(2000), {
      clients: () => source,
      jobs: 4,
    })
  ) {
    results++;
    if (
      result.kind === "image" && result.outcome?.verdict.status === "passed"
    ) {
      passed++;
    }
    if (results === 1500) {
      // WeakRef targets live until the current microtask checkpoint ends.
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
      const early = signals.slice(0, 1000);
      checked = early.length;
      kept = early.filter((ref) => ref.deref() !== undefined).length;
    }
  }
  assert.equal(results, 2000);
  assert.equal(passed, 2000);
  assert.equal(checked, 1000);
  assert.equal(kept, 0, `${kept} of the first 1000 signals are still kept`);
});
