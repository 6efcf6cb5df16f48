import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import {
  DEFAULT_REGISTRY,
  formatReference,
  type ImageReference,
  isTag,
  manifestTarget,
  normalizeRegistry,
  parseReference,
  registryEndpoint,
  replaceProject,
} from "../lib/types/reference.ts";

const D256 = `sha256:${"0123456789abcdef".repeat(4)}`;
const D512 = `sha512:${"0123456789abcdef".repeat(8)}`;
const T128 = "t".repeat(128);

function ref(
  registry: string,
  repository: string,
  tag?: string,
  digest?: string,
): ImageReference {
  const r: ImageReference = { registry, repository };
  if (tag !== undefined) r.tag = tag;
  if (digest !== undefined) r.digest = digest;
  return r;
}

// deno-fmt-ignore
const GOOD: [string, ImageReference][] = [
  ["nginx", ref("docker.io", "library/nginx")],
  ["nginx:1.27", ref("docker.io", "library/nginx", "1.27")],
  ["library/nginx:latest", ref("docker.io", "library/nginx", "latest")],
  ["rancher/rancher:v2.9.0", ref("docker.io", "rancher/rancher", "v2.9.0")],
  ["docker.io/nginx", ref("docker.io", "library/nginx")],
  ["DOCKER.IO/nginx", ref("docker.io", "library/nginx")],
  ["index.docker.io/library/nginx", ref("docker.io", "library/nginx")],
  ["registry-1.docker.io/nginx:1", ref("docker.io", "library/nginx", "1")],
  ["docker.io:443/nginx", ref("docker.io:443", "nginx")],
  ["quay.io/a/b/c:1", ref("quay.io", "a/b/c", "1")],
  ["Quay.IO/coreos/etcd", ref("quay.io", "coreos/etcd")],
  ["quay.io/etcd", ref("quay.io", "etcd")],
  ["localhost/x", ref("localhost", "x")],
  ["localhost:5000/x", ref("localhost:5000", "x")],
  ["localhost:5000/x/y:z", ref("localhost:5000", "x/y", "z")],
  ["localhost", ref("docker.io", "library/localhost")],
  ["localhost:5000", ref("docker.io", "library/localhost", "5000")],
  ["myregistry:5000/x", ref("myregistry:5000", "x")],
  ["10.0.0.1:5000/team/app:v1", ref("10.0.0.1:5000", "team/app", "v1")],
  ["[::1]:5000/a/b:1", ref("[::1]:5000", "a/b", "1")],
  ["[::1]/a", ref("[::1]", "a")],
  ["[2001:DB8::1]:443/a", ref("[2001:db8::1]:443", "a")],
  ["a-b.example.com:1/x", ref("a-b.example.com:1", "x")],
  ["foo.bar/baz", ref("foo.bar", "baz")],
  [`alpine@${D256}`, ref("docker.io", "library/alpine", undefined, D256)],
  [`alpine:3.20@${D256}`, ref("docker.io", "library/alpine", "3.20", D256)],
  [`example.com:443/a/b@${D512}`, ref("example.com:443", "a/b", undefined, D512)],
  [`quay.io/a/b:1@${D256}`, ref("quay.io", "a/b", "1", D256)],
  ["a_b/c__d/e--f/g.h:T_ag.1-x", ref("docker.io", "a_b/c__d/e--f/g.h", "T_ag.1-x")],
  ["a---b/c-d", ref("docker.io", "a---b/c-d")],
  ["0/9", ref("docker.io", "0/9")],
  [`a:${T128}`, ref("docker.io", "library/a", T128)],
  ["a:_", ref("docker.io", "library/a", "_")],
  [`quay.io/${"a".repeat(247)}`, ref("quay.io", "a".repeat(247))],
  [`${"a".repeat(237)}:1`, ref("docker.io", `library/${"a".repeat(237)}`, "1")],
];

for (const [input, expected] of GOOD) {
  Deno.test(`parseReference() parses "${input.slice(0, 60)}"`, () => {
    deepStrictEqual(parseReference(input), expected);
  });
}

// deno-fmt-ignore
const BAD: [string, string][] = [
  ["", "reference is empty"],
  ["nginx:", "tag is empty"],
  ["nginx@", "digest is empty"],
  ["Nginx", "repository name must be lowercase"],
  ["rancher/Rancher:v1", "repository name must be lowercase"],
  ["quay.io/A/b", "repository name must be lowercase"],
  ["a:-x", 'invalid tag "-x"'],
  ["a:.x", 'invalid tag ".x"'],
  ["a:x/y", 'invalid registry "a:x"'],
  [`a:${T128}x`, "tag is longer than 128 characters"],
  ["a//b", "repository name has an empty path component"],
  ["a/", "repository name has an empty path component"],
  ["quay.io/", "repository name has an empty path component"],
  ["quay.io/a/", "repository name has an empty path component"],
  ["/a", "repository name has an empty path component"],
  [":tag", "repository name is empty"],
  [`@${D256}`, "repository name is empty"],
  ["alpine@sha256:abc", 'invalid digest "sha256:abc"'],
  [`alpine@${D256.toUpperCase()}`, `invalid digest "${D256.toUpperCase()}"`],
  ["alpine@latest", 'invalid digest "latest"'],
  [`a@b@${D256}`, `invalid digest "b@${D256}"`],
  [`quay.io/${"a".repeat(248)}`, "repository name must not be more than 255 characters"],
  [`${"a".repeat(238)}`, "repository name must not be more than 255 characters"],
  ["a b", 'invalid repository path component "a b"'],
  [" nginx", 'invalid repository path component " nginx"'],
  ["-a", 'invalid repository path component "-a"'],
  ["a-", 'invalid repository path component "a-"'],
  ["a..b", 'invalid repository path component "a..b"'],
  ["a___b", 'invalid repository path component "a___b"'],
  ["a:b:c", 'invalid repository path component "a:b"'],
  ["quay.io/a:b/c", 'invalid repository path component "a:b"'],
  ["quay.io:abc/x", 'invalid registry "quay.io:abc"'],
  ["-quay.io/x", 'invalid registry "-quay.io"'],
  ["quay..io/x", 'invalid registry "quay..io"'],
  ["quay.io:/x", 'invalid registry "quay.io:"'],
  ["[::1/a", 'invalid registry "[::1"'],
  ["[zz]:5000/a", 'invalid registry "[zz]:5000"'],
  ["my_registry.io/a", 'invalid registry "my_registry.io"'],
];

for (const [input, detail] of BAD) {
  Deno.test(`parseReference() rejects "${input.slice(0, 60)}": ${detail.slice(0, 50)}`, () => {
    throws(() => parseReference(input), {
      name: "SyntaxError",
      message: `Cannot parse image reference "${input}": ${detail}`,
    });
  });
}

Deno.test("parseReference() uses and normalises the default registry", () => {
  strictEqual(DEFAULT_REGISTRY, "docker.io");
  deepStrictEqual(
    parseReference("a/b", { defaultRegistry: "Private.IO:5000" }),
    ref("private.io:5000", "a/b"),
  );
  deepStrictEqual(
    parseReference("nginx", { defaultRegistry: "private.io" }),
    ref("private.io", "nginx"),
  );
  deepStrictEqual(
    parseReference("nginx:1", { defaultRegistry: "index.docker.io" }),
    ref("docker.io", "library/nginx", "1"),
  );
  deepStrictEqual(
    parseReference("quay.io/a", { defaultRegistry: "private.io" }),
    ref("quay.io", "a"),
  );
  throws(() => parseReference("nginx", { defaultRegistry: "bad_host" }), {
    name: "SyntaxError",
    message:
      'Cannot parse image reference "nginx": invalid registry "bad_host"',
  });
});

Deno.test("formatReference() writes only the parts a reference has", () => {
  const cases: [ImageReference, string][] = [
    [ref("docker.io", "library/nginx"), "docker.io/library/nginx"],
    [ref("quay.io", "a/b/c", "1"), "quay.io/a/b/c:1"],
    [ref("quay.io", "a", undefined, D256), `quay.io/a@${D256}`],
    [ref("[::1]:5000", "a/b", "1", D256), `[::1]:5000/a/b:1@${D256}`],
  ];
  for (const [input, expected] of cases) {
    strictEqual(formatReference(input), expected);
  }
});

Deno.test("formatReference() output parses back to the same reference", () => {
  for (const [input, expected] of GOOD) {
    if (
      expected.registry === "docker.io:443" ||
      input.startsWith("localhost:5000")
    ) continue;
    deepStrictEqual(parseReference(formatReference(expected)), expected);
  }
});

Deno.test("manifestTarget() prefers the digest, then the tag, then latest", () => {
  strictEqual(manifestTarget(ref("docker.io", "library/a")), "latest");
  strictEqual(manifestTarget(ref("docker.io", "library/a", "1")), "1");
  strictEqual(manifestTarget(ref("docker.io", "library/a", "1", D256)), D256);
  strictEqual(
    manifestTarget(ref("docker.io", "library/a", undefined, D256)),
    D256,
  );
});

Deno.test("registryEndpoint() sends Docker Hub to registry-1.docker.io", () => {
  strictEqual(registryEndpoint("docker.io"), "registry-1.docker.io");
  strictEqual(registryEndpoint("quay.io"), "quay.io");
  strictEqual(registryEndpoint("localhost:5000"), "localhost:5000");
  strictEqual(registryEndpoint("[::1]:5000"), "[::1]:5000");
});

Deno.test("replaceProject() replaces the first path segment", () => {
  const cases: [string, string, string][] = [
    ["library/nginx", "mirror", "mirror/nginx"],
    ["nginx", "mirror", "mirror/nginx"],
    ["a/b/c", "x", "x/b/c"],
    ["a/b", "x/y", "x/y/b"],
    ["rancher/rancher", "rancher", "rancher/rancher"],
  ];
  for (const [repository, project, expected] of cases) {
    strictEqual(replaceProject(repository, project), expected);
  }
});

Deno.test("replaceProject() rejects invalid project names", () => {
  const cases: [string, string][] = [
    ["Team", "repository name must be lowercase"],
    ["", "repository name has an empty path component"],
    ["a/", "repository name has an empty path component"],
    ["a b", 'invalid repository path component "a b"'],
  ];
  for (const [project, detail] of cases) {
    throws(() => replaceProject("library/nginx", project), {
      name: "SyntaxError",
      message: `Cannot parse project "${project}": ${detail}`,
    });
  }
});

Deno.test("isTag() follows the tag grammar", () => {
  for (const tag of ["latest", "v1.2.3", "V1", "_x", "1", "a-b_c.d", T128]) {
    strictEqual(isTag(tag), true, tag);
  }
  for (const tag of ["", "-x", ".x", "a/b", "a:b", "a@b", "a b", `${T128}x`]) {
    strictEqual(isTag(tag), false, tag);
  }
});

Deno.test("normalizeRegistry() lowercases and maps Docker Hub aliases", () => {
  const cases: [string, string][] = [
    ["docker.io", "docker.io"],
    ["Index.Docker.IO", "docker.io"],
    ["registry-1.docker.io", "docker.io"],
    ["registry-1.docker.io:443", "registry-1.docker.io:443"],
    ["Private.IO:5000", "private.io:5000"],
    ["myregistry", "myregistry"],
    ["[::1]:5000", "[::1]:5000"],
  ];
  for (const [input, expected] of cases) {
    strictEqual(normalizeRegistry(input), expected);
  }
});

Deno.test("normalizeRegistry() rejects names outside the domain grammar", () => {
  const cases: [string, string][] = [
    ["", "registry is empty"],
    ["a_b.io", 'invalid registry "a_b.io"'],
    ["a.io:x", 'invalid registry "a.io:x"'],
    ["a.io/x", 'invalid registry "a.io/x"'],
    ["https://a.io", 'invalid registry "https://a.io"'],
  ];
  for (const [input, detail] of cases) {
    throws(() => normalizeRegistry(input), {
      name: "SyntaxError",
      message: `Cannot parse registry "${input}": ${detail}`,
    });
  }
});
