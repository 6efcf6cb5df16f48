/**
 * Matching one host against a `NO_PROXY` list (curl's and Go's rules, plus
 * CIDR ranges for IPv4 and IPv6). Private helper of proxy.ts.
 *
 * @module
 */

/**
 * Whether `NO_PROXY` (comma- or space-separated) names the target. `host` is
 * a URL host name (IPv6 in brackets or not), `port` the effective port.
 * Entries: `*`; a host or domain (`corp` and `.corp` match `corp` and
 * `x.corp`; `*.corp` too); `host:port` and `[v6]:port`; an IP; a CIDR range.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { noProxyMatches } from "./_no_proxy.ts";
 * assert.equal(noProxyMatches(".corp", "reg.corp", 443), true);
 * assert.equal(noProxyMatches("10.0.0.0/8", "10.1.2.3", 443), true);
 * assert.equal(noProxyMatches("127.0.0.1:5000", "127.0.0.1", 5001), false);
 * ```
 */
export function noProxyMatches(
  noProxy: string,
  host: string,
  port: number,
): boolean {
  const target = unbracket(host.toLowerCase()).replace(/\.$/, "");
  const targetIp = parseIp(target);
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const slash = entry.indexOf("/");
    if (slash >= 0) {
      const net = parseIp(entry.slice(0, slash));
      const bits = Number(entry.slice(slash + 1));
      if (
        net !== undefined && targetIp !== undefined &&
        net.length === targetIp.length && Number.isInteger(bits) &&
        bits >= 0 && bits <= net.length * 8 && samePrefix(net, targetIp, bits)
      ) return true;
      continue;
    }
    const [name, entryPort] = splitPort(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    const ip = parseIp(name);
    if (ip !== undefined) {
      if (
        targetIp?.length === ip.length &&
        samePrefix(ip, targetIp, ip.length * 8)
      ) return true;
      continue;
    }
    const domain = name.replace(/^\*?\./, "").replace(/\.$/, "");
    if (domain === "") continue;
    if (target === domain || target.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** `name` and port of `host:port` or `[v6]:port`; a bare IPv6 has no port. */
function splitPort(entry: string): [string, number | undefined] {
  if (entry.startsWith("[")) {
    const end = entry.indexOf("]");
    const rest = entry.slice(end + 1);
    const port = /^:\d+$/.test(rest) ? Number(rest.slice(1)) : undefined;
    return [entry.slice(1, end), port];
  }
  const colon = entry.lastIndexOf(":");
  if (
    colon > 0 && entry.indexOf(":") === colon &&
    /^\d+$/.test(entry.slice(colon + 1))
  ) {
    return [entry.slice(0, colon), Number(entry.slice(colon + 1))];
  }
  return [entry, undefined];
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** The bytes of an IPv4 (4) or IPv6 (16) address, or undefined. */
function parseIp(text: string): number[] | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return v4;
  if (!text.includes(":")) return undefined;
  return parseIpv6(unbracket(text));
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((part) =>
    /^\d{1,3}$/.test(part) ? Number(part) : NaN
  );
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-f]{1,4}$/.test(part)) out.push(parseInt(part, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array(fill).fill(0), ...tail];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

function samePrefix(a: number[], b: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((a[byte] ?? -1) & mask) !== ((b[byte] ?? -1) & mask)) return false;
  }
  return true;
}
