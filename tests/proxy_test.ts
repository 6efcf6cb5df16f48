// proxyFor(): which proxy a URL goes through under an environment (pure).
import assert from "node:assert/strict";
import { proxyFor } from "../lib/transport/proxy.ts";

const P = "http://127.0.0.1:8888";
const via = { url: P, host: "127.0.0.1:8888" };

const table: [
  string,
  Record<string, string>,
  string,
  typeof via | undefined,
][] = [
  ["https uses HTTPS_PROXY", { HTTPS_PROXY: P }, "https://reg.io/v2/", via],
  [
    "http uses HTTP_PROXY, not HTTPS_PROXY",
    { HTTPS_PROXY: P },
    "http://reg.io/v2/",
    undefined,
  ],
  ["http uses HTTP_PROXY", { HTTP_PROXY: P }, "http://reg.io/v2/", via],
  [
    "lower-case wins over upper-case",
    { https_proxy: P, HTTPS_PROXY: "http://other:1" },
    "https://reg.io/",
    via,
  ],
  [
    "no scheme means http://, port kept",
    { HTTPS_PROXY: "127.0.0.1:8888" },
    "https://reg.io/",
    via,
  ],
  [
    "loopback is proxied like any host",
    { HTTPS_PROXY: P },
    "https://127.0.0.1:5000/v2/",
    via,
  ],
  [
    "NO_PROXY host",
    { HTTPS_PROXY: P, NO_PROXY: "reg.io" },
    "https://reg.io/",
    undefined,
  ],
  [
    "NO_PROXY domain without dot matches subdomain",
    { HTTPS_PROXY: P, NO_PROXY: "corp" },
    "https://x.corp/",
    undefined,
  ],
  [
    "NO_PROXY .domain matches subdomain",
    { HTTPS_PROXY: P, NO_PROXY: ".corp" },
    "https://x.corp/",
    undefined,
  ],
  [
    "NO_PROXY .domain matches the domain",
    { HTTPS_PROXY: P, NO_PROXY: ".corp" },
    "https://corp/",
    undefined,
  ],
  [
    "NO_PROXY domain is no substring match",
    { HTTPS_PROXY: P, NO_PROXY: "corp" },
    "https://xcorp/",
    via,
  ],
  [
    "NO_PROXY host:port matches that port",
    { HTTPS_PROXY: P, NO_PROXY: "127.0.0.1:5000" },
    "https://127.0.0.1:5000/",
    undefined,
  ],
  [
    "NO_PROXY host:port leaves other ports",
    { HTTPS_PROXY: P, NO_PROXY: "127.0.0.1:5000" },
    "https://127.0.0.1:5001/",
    via,
  ],
  [
    "NO_PROXY host:443 matches the default port",
    { HTTPS_PROXY: P, NO_PROXY: "reg.io:443" },
    "https://reg.io/",
    undefined,
  ],
  [
    "NO_PROXY IP",
    { HTTPS_PROXY: P, NO_PROXY: "localhost, 127.0.0.1" },
    "https://127.0.0.1:9/",
    undefined,
  ],
  [
    "NO_PROXY CIDR",
    { HTTPS_PROXY: P, NO_PROXY: "10.0.0.0/8" },
    "https://10.20.30.40/",
    undefined,
  ],
  [
    "NO_PROXY CIDR outside",
    { HTTPS_PROXY: P, NO_PROXY: "10.0.0.0/8" },
    "https://11.0.0.1/",
    via,
  ],
  [
    "NO_PROXY IPv6 CIDR",
    { HTTPS_PROXY: P, NO_PROXY: "fd00::/8" },
    "https://[fd12::1]:5000/",
    undefined,
  ],
  [
    "NO_PROXY IPv6 address",
    { HTTPS_PROXY: P, NO_PROXY: "::1" },
    "https://[::1]:5000/",
    undefined,
  ],
  [
    "NO_PROXY * sends everything directly",
    { HTTPS_PROXY: P, NO_PROXY: "*" },
    "https://reg.io/",
    undefined,
  ],
  [
    "lower-case no_proxy wins",
    { HTTPS_PROXY: P, no_proxy: "a.io", NO_PROXY: "reg.io" },
    "https://reg.io/",
    via,
  ],
  [
    "empty proxy variable means direct",
    { HTTPS_PROXY: "" },
    "https://reg.io/",
    undefined,
  ],
];

for (const [name, env, url, expected] of table) {
  Deno.test(`proxyFor(): ${name}`, () => {
    assert.deepEqual(proxyFor(url, env), expected);
  });
}

Deno.test("proxyFor() keeps the credentials apart from the display form", () => {
  assert.deepEqual(
    proxyFor("https://reg.io/", {
      HTTPS_PROXY: "http://al%3Ace:s3cr%40t@proxy:3128",
    }),
    {
      url: "http://proxy:3128",
      host: "proxy:3128",
      credentials: { username: "al:ce", password: "s3cr@t" },
    },
  );
});

Deno.test("proxyFor() names a bad proxy value without its credentials", () => {
  assert.throws(
    () => proxyFor("https://reg.io/", { HTTPS_PROXY: "socks5://u:pw@p:1080" }),
    {
      name: "TypeError",
      message:
        'Cannot use proxy "socks5://p:1080" from HTTPS_PROXY: only http:// and https:// proxies are supported',
    },
  );
});
