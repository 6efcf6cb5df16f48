import { deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  type ListItem,
  type ListOptions,
  NO_DESTINATION,
  parseListLine,
  readImageList,
  readListLines,
} from "../lib/list/image_list.ts";
import type { ImageReference } from "../lib/types/reference.ts";

const D = `sha256:${"ab".repeat(32)}`;
const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

function ref(text: string): ImageReference {
  const [, registry = "", repository = "", tag, digest] =
    /^([^/]+)\/([^:@]+)(?::([^@]+))?(?:@(.+))?$/.exec(text) ?? [];
  const r: ImageReference = { registry, repository };
  if (tag !== undefined) r.tag = tag;
  if (digest !== undefined) r.digest = digest;
  return r;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const DEST: ListOptions = { destination: "private.io" };

// deno-fmt-ignore
const DEFAULT_LINES: [string, ListOptions, string, string][] = [
  ["nginx", DEST, "docker.io/library/nginx", "private.io/library/nginx"],
  ["  nginx:1.27\t", DEST, "docker.io/library/nginx:1.27", "private.io/library/nginx:1.27"],
  ["rancher/rancher:v2.9.0", DEST, "docker.io/rancher/rancher:v2.9.0", "private.io/rancher/rancher:v2.9.0"],
  ["docker.io/library/nginx", DEST, "docker.io/library/nginx", "private.io/library/nginx"],
  ["quay.io/a/b/c:1", DEST, "quay.io/a/b/c:1", "private.io/a/b/c:1"],
  ["quay.io/etcd:v3", DEST, "quay.io/etcd:v3", "private.io/library/etcd:v3"],
  ["quay.io/etcd:v3", { ...DEST, defaultProject: "mirror" }, "quay.io/etcd:v3", "private.io/mirror/etcd:v3"],
  ["localhost:5000/x", DEST, "localhost:5000/x", "private.io/library/x"],
  ["[::1]:5000/a/b:1", DEST, "[::1]:5000/a/b:1", "private.io/a/b:1"],
  [`alpine@${D}`, DEST, `docker.io/library/alpine@${D}`, `private.io/library/alpine@${D}`],
  [`alpine:3@${D}`, DEST, `docker.io/library/alpine:3@${D}`, `private.io/library/alpine:3@${D}`],
  ["nginx", { destination: "Private.IO:5000" }, "docker.io/library/nginx", "private.io:5000/library/nginx"],
  ["nginx", { destination: "[::1]:5000" }, "docker.io/library/nginx", "[::1]:5000/library/nginx"],
  ["quay.io/a/b:1", { ...DEST, source: "mirror.io" }, "mirror.io/a/b:1", "private.io/a/b:1"],
  ["nginx", { ...DEST, source: "mirror.io:5000" }, "mirror.io:5000/library/nginx", "private.io/library/nginx"],
  ["quay.io/etcd", { ...DEST, source: "docker.io" }, "docker.io/library/etcd", "private.io/library/etcd"],
  ["quay.io/etcd", { destination: "index.docker.io" }, "quay.io/etcd", "docker.io/library/etcd"],
  ["nginx", { ...DEST, source: "" }, "docker.io/library/nginx", "private.io/library/nginx"],
  ["nginx", { ...DEST, sourceProject: "src", destinationProject: "dst" }, "docker.io/src/nginx", "private.io/dst/nginx"],
  ["quay.io/etcd:v3", { ...DEST, destinationProject: "team" }, "quay.io/etcd:v3", "private.io/team/etcd:v3"],
  ["quay.io/etcd:v3", { ...DEST, sourceProject: "coreos" }, "quay.io/coreos/etcd:v3", "private.io/library/etcd:v3"],
  ["quay.io/a/b/c", { ...DEST, sourceProject: "x", destinationProject: "y" }, "quay.io/x/b/c", "private.io/y/b/c"],
];

for (const [text, options, source, destination] of DEFAULT_LINES) {
  Deno.test(`parseListLine() reads "${text.trim()}" with ${JSON.stringify(options)}`, () => {
    deepStrictEqual(parseListLine(text, 7, options), {
      kind: "image",
      line: 7,
      text: text.trim(),
      format: "default",
      source: ref(source),
      destination: ref(destination),
    });
  });
}

// deno-fmt-ignore
const MIRROR_LINES: [string, ListOptions, string, string][] = [
  ["docker.io/hello-world private.io/library/hello-world latest", {}, "docker.io/library/hello-world:latest", "private.io/library/hello-world:latest"],
  ["docker.io/hello-world\tprivate.io/library/hello-world\tlatest", {}, "docker.io/library/hello-world:latest", "private.io/library/hello-world:latest"],
  [" \thello-world \t private.io/library/hello-world\t\t  v1 ", {}, "docker.io/library/hello-world:v1", "private.io/library/hello-world:v1"],
  [`quay.io/a/b private.io/a/b ${D}`, {}, `quay.io/a/b@${D}`, `private.io/a/b@${D}`],
  ["nginx library/nginx v1", {}, "docker.io/library/nginx:v1", "docker.io/library/nginx:v1"],
  ["nginx library/nginx v1", DEST, "docker.io/library/nginx:v1", "private.io/library/nginx:v1"],
  ["quay.io/etcd private.io/etcd v3", {}, "quay.io/etcd:v3", "private.io/etcd:v3"],
  ["quay.io/etcd private.io/etcd v3", { defaultProject: "mirror" }, "quay.io/etcd:v3", "private.io/etcd:v3"],
  ["quay.io/a/b private.io/c/d 1", { source: "mirror.io", destination: "other.io:5000" }, "mirror.io/a/b:1", "other.io:5000/c/d:1"],
  ["quay.io/a/b private.io/c/d 1", { sourceProject: "x", destinationProject: "y" }, "quay.io/x/b:1", "private.io/y/d:1"],
  ["localhost:5000/a [::1]:5000/b/c V_1.0-rc", {}, "localhost:5000/a:V_1.0-rc", "[::1]:5000/b/c:V_1.0-rc"],
];

for (const [text, options, source, destination] of MIRROR_LINES) {
  Deno.test(`parseListLine() reads mirror line "${text.trim().slice(0, 50)}" with ${JSON.stringify(options)}`, () => {
    deepStrictEqual(parseListLine(text, 3, options), {
      kind: "image",
      line: 3,
      text: text.trim(),
      format: "mirror",
      source: ref(source),
      destination: ref(destination),
    });
  });
}

// deno-fmt-ignore
const INVALID_LINES: [string, ListOptions, string][] = [
  ["nginx", {}, NO_DESTINATION],
  ["nginx", { destination: "" }, NO_DESTINATION],
  ["quay.io/etcd   # note", {}, NO_DESTINATION],
  ["nginx#note", DEST, 'Cannot parse image reference "nginx#note": invalid repository path component "nginx#note"'],
  ["Nginx", {}, 'Cannot parse image reference "Nginx": repository name must be lowercase'],
  ["nginx:", DEST, 'Cannot parse image reference "nginx:": tag is empty'],
  ["a:-x", DEST, 'Cannot parse image reference "a:-x": invalid tag "-x"'],
  ["a//b", DEST, 'Cannot parse image reference "a//b": repository name has an empty path component'],
  ["quay.io/a/", DEST, 'Cannot parse image reference "quay.io/a/": repository name has an empty path component'],
  ["nginx", { destination: "bad_host" }, 'Cannot parse registry "bad_host": invalid registry "bad_host"'],
  ["nginx", { ...DEST, source: "https://x.io" }, 'Cannot parse registry "https://x.io": invalid registry "https://x.io"'],
  ["nginx", { ...DEST, destinationProject: "Team" }, 'Cannot parse project "Team": repository name must be lowercase'],
  ["a b", DEST, 'expected an image reference or "SOURCE DEST TAG", found 2 fields'],
  ["a\tb c d", DEST, 'expected an image reference or "SOURCE DEST TAG", found 4 fields'],
  ["nginx:1 private.io/library/nginx 1", {}, 'Source "nginx:1" has a tag: put it in TAG'],
  [`nginx@${D} private.io/library/nginx 1`, {}, `Source "nginx@${D}" has a digest: put it in TAG`],
  ["nginx private.io/library/nginx:1 1", {}, 'Destination "private.io/library/nginx:1" has a tag: put it in TAG'],
  [`nginx private.io/nginx@${D} 1`, {}, `Destination "private.io/nginx@${D}" has a digest: put it in TAG`],
  ["nginx private.io/nginx -x", {}, 'TAG "-x" is neither a tag nor a digest'],
  ["nginx private.io/nginx sha256:abc", {}, 'TAG "sha256:abc" is neither a tag nor a digest'],
  ["nginx Private.io/Nginx v1", {}, 'Cannot parse image reference "Private.io/Nginx": repository name must be lowercase'],
  [`quay.io/x/${"a".repeat(245)}`, DEST, `Cannot use repository "private.io/x/${"a".repeat(245)}": repository name must not be more than 255 characters`],
];

// Destination names, every combination: default and mirror format, with and
// without -d, Docker Hub or another registry, --default-project foo / '' /
// unset, a DEST with or without a registry of its own.
const REG = "reg.io:5000";
// deno-fmt-ignore
const DESTINATION_NAMES: [string, ListOptions, string][] = [
  ["nginx:1", { destination: REG }, `${REG}/library/nginx:1`],
  ["nginx:1", { destination: REG, defaultProject: "foo" }, `${REG}/library/nginx:1`],
  ["nginx:1", { destination: REG, defaultProject: "" }, `${REG}/library/nginx:1`],
  ["quay.io/etcd:1", { destination: REG }, `${REG}/library/etcd:1`],
  ["quay.io/etcd:1", { destination: REG, defaultProject: "foo" }, `${REG}/foo/etcd:1`],
  ["quay.io/etcd:1", { destination: REG, defaultProject: "" }, `${REG}/etcd:1`],
  ["quay.io/etcd:1", { destination: "docker.io" }, "docker.io/library/etcd:1"],
  ["quay.io/etcd:1", { destination: "docker.io", defaultProject: "" }, "docker.io/library/etcd:1"],
  ["quay.io/etcd:1", { destination: "docker.io", defaultProject: "foo" }, "docker.io/foo/etcd:1"],
  ["quay.io/a/b:1", { destination: REG, defaultProject: "foo" }, `${REG}/a/b:1`],
  ["nginx mirrored-nginx 1.23", {}, "docker.io/library/mirrored-nginx:1.23"],
  ["nginx mirrored-nginx 1.23", { defaultProject: "foo" }, "docker.io/foo/mirrored-nginx:1.23"],
  ["nginx mirrored-nginx 1.23", { defaultProject: "" }, "docker.io/library/mirrored-nginx:1.23"],
  ["nginx mirrored-nginx 1.23", { destination: REG }, `${REG}/library/mirrored-nginx:1.23`],
  ["nginx mirrored-nginx 1.23", { destination: REG, defaultProject: "foo" }, `${REG}/foo/mirrored-nginx:1.23`],
  ["nginx mirrored-nginx 1.23", { destination: REG, defaultProject: "" }, `${REG}/mirrored-nginx:1.23`],
  ["nginx mirrored-nginx 1.23", { destination: REG, defaultProject: "foo", destinationProject: "bar" }, `${REG}/bar/mirrored-nginx:1.23`],
  ["nginx team/x 1", {}, "docker.io/team/x:1"],
  ["nginx team/x 1", { destination: REG, defaultProject: "foo" }, `${REG}/team/x:1`],
  ["nginx host:5000/solo 1", {}, "host:5000/solo:1"],
  ["nginx host:5000/solo 1", { defaultProject: "foo" }, "host:5000/solo:1"],
  ["nginx host:5000/solo 1", { destination: REG }, `${REG}/solo:1`],
  ["nginx host:5000/solo 1", { destination: REG, defaultProject: "foo" }, `${REG}/solo:1`],
  ["nginx host:5000/solo 1", { destination: "docker.io" }, "docker.io/library/solo:1"],
  ["nginx host:5000/solo 1", { destinationProject: "bar" }, "host:5000/bar/solo:1"],
  ["nginx host:5000/team/x 1", { destination: REG, defaultProject: "foo" }, `${REG}/team/x:1`],
  ["nginx localhost/solo 1", {}, "localhost/solo:1"],
  ["nginx docker.io/solo 1", {}, "docker.io/library/solo:1"],
  ["nginx index.docker.io/solo 1", { defaultProject: "foo" }, "docker.io/library/solo:1"],
  ["nginx docker.io/solo 1", { destination: REG }, `${REG}/solo:1`],
];

for (const [text, options, destination] of DESTINATION_NAMES) {
  Deno.test(`parseListLine() names the destination of "${text}" with ${JSON.stringify(options)} ${destination}`, () => {
    const item = parseListLine(text, 1, options);
    strictEqual(item?.kind, "image");
    if (item?.kind === "image") {
      deepStrictEqual(item.destination, ref(destination));
    }
  });
}

for (const [text, options, reason] of INVALID_LINES) {
  Deno.test(`parseListLine() reports "${text.slice(0, 40)}" as invalid: ${reason.slice(0, 60)}`, () => {
    deepStrictEqual(parseListLine(text, 2, options), {
      kind: "invalid",
      line: 2,
      text: text.trim(),
      reason,
    });
  });
}

// deno-fmt-ignore
const TRAILING_COMMENTS: [string, string, string][] = [
  ["nginx   # note", "default", "reg.io/library/nginx"],
  ["nginx\t#note", "default", "reg.io/library/nginx"],
  ["nginx #", "default", "reg.io/library/nginx"],
  ["nginx # a # b", "default", "reg.io/library/nginx"],
  ["quay.io/a/b:1 # x y z", "default", "reg.io/a/b:1"],
  ["nginx mirrored-nginx 1.23 # from the 2024 list", "mirror", "reg.io/library/mirrored-nginx:1.23"],
  ["nginx\tmirrored-nginx\t1.23\t# tabs", "mirror", "reg.io/library/mirrored-nginx:1.23"],
];

for (const [text, format, destination] of TRAILING_COMMENTS) {
  Deno.test(`parseListLine() reads ${JSON.stringify(text)} as a ${format} entry with a trailing comment`, () => {
    const item = parseListLine(text, 4, { destination: "reg.io" });
    strictEqual(item?.kind, "image");
    if (item?.kind !== "image") return;
    strictEqual(item.format, format);
    strictEqual(item.text, text.trim());
    deepStrictEqual(item.destination, ref(destination));
  });
}

Deno.test("parseListLine() starts no comment at a # without whitespace before it", () => {
  const cases: [string, string][] = [
    [
      "nginx#note",
      'Cannot parse image reference "nginx#note": invalid repository path component "nginx#note"',
    ],
    [
      "nginx:1#x",
      'Cannot parse image reference "nginx:1#x": invalid tag "1#x"',
    ],
    [
      "a b#c d",
      'Cannot parse image reference "b#c": invalid repository path component "b#c"',
    ],
  ];
  for (const [text, reason] of cases) {
    deepStrictEqual(parseListLine(text, 5, DEST), {
      kind: "invalid",
      line: 5,
      text,
      reason,
    }, text);
  }
});

Deno.test("parseListLine() skips blank lines and comments", () => {
  for (
    const text of [
      "",
      "   ",
      "\t \r",
      "# nginx",
      "  #nginx",
      "// nginx",
      " \t// a b c",
      "#",
      "//",
    ]
  ) {
    strictEqual(parseListLine(text, 1, DEST), undefined, JSON.stringify(text));
  }
});

const lines = (text: string, maxLineBytes?: number) =>
  collect(readListLines(ReadableStream.from([bytes(text)]), { maxLineBytes }));

Deno.test("readListLines() splits on \\n and \\r\\n and keeps a last line without break", async () => {
  deepStrictEqual(await lines("a\nb\r\nc"), [{ line: 1, text: "a" }, {
    line: 2,
    text: "b",
  }, { line: 3, text: "c" }]);
  deepStrictEqual(await lines("a\n\n b \n"), [{ line: 1, text: "a" }, {
    line: 2,
    text: "",
  }, { line: 3, text: " b " }]);
  deepStrictEqual(await lines("a\rb\r\n\r\n"), [{ line: 1, text: "a\rb" }, {
    line: 2,
    text: "",
  }]);
  deepStrictEqual(await lines(""), []);
  deepStrictEqual(await lines("\n"), [{ line: 1, text: "" }]);
});

Deno.test("readListLines() strips a UTF-8 BOM at the start only", async () => {
  deepStrictEqual(await lines("\uFEFFnginx\r\n\uFEFFx"), [{
    line: 1,
    text: "nginx",
  }, { line: 2, text: "\uFEFFx" }]);
  deepStrictEqual(await lines("\uFEFF"), [{ line: 1, text: "" }]);
});

Deno.test("readListLines() gives the same lines whatever the chunk boundaries", async () => {
  const text = "\uFEFFnginx:1\r\nquay.io/a/b\n\n日本語 x\r\nlast";
  const whole = await lines(text);
  const oneByte = [...bytes(text)].map((b) => new Uint8Array([b]));
  deepStrictEqual(
    await collect(readListLines(ReadableStream.from(oneByte))),
    whole,
  );
  deepStrictEqual(whole.map((l) => l.text), [
    "nginx:1",
    "quay.io/a/b",
    "",
    "日本語 x",
    "last",
  ]);
});

Deno.test("readListLines() reports invalid UTF-8 lines and goes on", async () => {
  const body = new Uint8Array([0x61, 0xff, 0x0a, 0xc3, 0x28, 0x0d, 0x0a, 0x62]);
  deepStrictEqual(await collect(readListLines(ReadableStream.from([body]))), [
    { line: 1, text: "a\\xff", error: "line is not valid UTF-8" },
    { line: 2, text: "\\xc3(", error: "line is not valid UTF-8" },
    { line: 3, text: "b" },
  ]);
});

Deno.test("readListLines() reports over-long lines and skips the rest of them", async () => {
  deepStrictEqual(await lines("abcd\nabcde\r\nab\r\nabcd\r\nxxxxxxxxxx", 4), [
    { line: 1, text: "abcd" },
    { line: 2, text: "abcde", error: "line is longer than 4 bytes" },
    { line: 3, text: "ab" },
    { line: 4, text: "abcd" },
    { line: 5, text: "xxxxxxxxxx", error: "line is longer than 4 bytes" },
  ]);
  deepStrictEqual(await lines("\uFEFFabcd\r\n", 4), [{
    line: 1,
    text: "abcd",
  }]);
});

Deno.test("readListLines() keeps only a bounded preview of a huge line fed in pieces", async () => {
  const chunks = Array.from({ length: 1000 }, () => bytes("a".repeat(1000)));
  chunks.push(bytes("\nnext"));
  const result = await collect(
    readListLines(ReadableStream.from(chunks), { maxLineBytes: 16 }),
  );
  deepStrictEqual(result, [
    { line: 1, text: "a".repeat(800), error: "line is longer than 16 bytes" },
    { line: 2, text: "next" },
  ]);
  deepStrictEqual((await lines("a".repeat(70000))).map((l) => l.error), [
    "line is longer than 65536 bytes",
  ]);
});

Deno.test("readListLines() cancels the stream when the reader stops early", async () => {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(bytes("a\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const item of readListLines(stream)) {
    deepStrictEqual(item, { line: 1, text: "a" });
    break;
  }
  strictEqual(cancelled, true);
});

Deno.test("readImageList() turns a whole file into entries and invalid lines", async () => {
  const body = new Uint8Array([
    ...bytes("\uFEFF# images\r\nnginx:1\r\n\r\n  // old\r\nNginx\r\n"),
    0xff,
    ...bytes(
      `\r\nquay.io/a/b private.io/c/d 2\r\n${"x".repeat(300)}\r\nalpine`,
    ),
  ]);
  const items: ListItem[] = await collect(
    readImageList(ReadableStream.from([body]), {
      destination: "private.io",
      maxLineBytes: 250,
    }),
  );
  deepStrictEqual(items, [
    {
      kind: "image",
      line: 2,
      text: "nginx:1",
      format: "default",
      source: ref("docker.io/library/nginx:1"),
      destination: ref("private.io/library/nginx:1"),
    },
    {
      kind: "invalid",
      line: 5,
      text: "Nginx",
      reason:
        'Cannot parse image reference "Nginx": repository name must be lowercase',
    },
    {
      kind: "invalid",
      line: 6,
      text: "\\xff",
      reason: "line is not valid UTF-8",
    },
    {
      kind: "image",
      line: 7,
      text: "quay.io/a/b private.io/c/d 2",
      format: "mirror",
      source: ref("quay.io/a/b:2"),
      destination: ref("private.io/c/d:2"),
    },
    {
      kind: "invalid",
      line: 8,
      text: "x".repeat(200),
      reason: "line is longer than 250 bytes",
    },
    {
      kind: "image",
      line: 9,
      text: "alpine",
      format: "default",
      source: ref("docker.io/library/alpine"),
      destination: ref("private.io/library/alpine"),
    },
  ]);
});

Deno.test("readImageList() applies -s, -d and projects to every line", async () => {
  const body = bytes("nginx\nquay.io/a/b q.io/c/d 1\n");
  const options = {
    source: "src.io",
    destination: "dst.io",
    sourceProject: "s",
    destinationProject: "d",
  };
  const items = await collect(
    readImageList(ReadableStream.from([body]), options),
  );
  deepStrictEqual(
    items.map((i) => i.kind === "image" ? [i.source, i.destination] : i.reason),
    [[ref("src.io/s/nginx"), ref("dst.io/d/nginx")], [
      ref("src.io/s/b:1"),
      ref("dst.io/d/d:1"),
    ]],
  );
});
