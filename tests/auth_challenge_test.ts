import assert from "node:assert/strict";
import { parseChallenges } from "../lib/auth/challenge.ts";

Deno.test("parseChallenges() reads a Docker Hub Bearer challenge", () => {
  assert.deepEqual(
    parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    ),
    [{
      scheme: "bearer",
      params: {
        realm: "https://auth.docker.io/token",
        service: "registry.docker.io",
        scope: "repository:library/nginx:pull",
      },
    }],
  );
});

Deno.test("parseChallenges() keeps commas and escaped quotes inside quoted values", () => {
  assert.deepEqual(
    parseChallenges(
      'Bearer realm="https://a/t", scope="repository:x:pull,push", error="say \\"no\\""',
    ),
    [{
      scheme: "bearer",
      params: {
        realm: "https://a/t",
        scope: "repository:x:pull,push",
        error: 'say "no"',
      },
    }],
  );
});

Deno.test("parseChallenges() splits several challenges and lowercases scheme and parameter names", () => {
  assert.deepEqual(
    parseChallenges(
      'BASIC Realm="Registry Realm", Bearer REALM="https://a/t",service=reg',
    ),
    [
      { scheme: "basic", params: { realm: "Registry Realm" } },
      { scheme: "bearer", params: { realm: "https://a/t", service: "reg" } },
    ],
  );
});

Deno.test("parseChallenges() accepts unquoted values, spaces around = and a bare scheme", () => {
  assert.deepEqual(
    parseChallenges("Basic, Bearer realm = https://a/t , service=reg"),
    [
      { scheme: "basic", params: {} },
      { scheme: "bearer", params: { realm: "https://a/t", service: "reg" } },
    ],
  );
});

Deno.test("parseChallenges() keeps a token68 and returns nothing for an empty header", () => {
  assert.deepEqual(parseChallenges("Negotiate abc123=="), [{
    scheme: "negotiate",
    params: { token68: "abc123==" },
  }]);
  assert.deepEqual(parseChallenges(""), []);
  assert.deepEqual(parseChallenges("  ,  "), []);
});
