/**
 * Parser for `WWW-Authenticate` headers (RFC 9110 section 11.6.1).
 *
 * @module
 */

/** One authentication challenge: a scheme and its parameters. */
export interface Challenge {
  /** Auth scheme, lowercased: "bearer", "basic". */
  scheme: string;
  /** Parameters by lowercased name, values unquoted. */
  params: Record<string, string>;
}

/**
 * Parses every challenge of a `WWW-Authenticate` header. Quoted values may hold
 * commas and escaped quotes; scheme and parameter names are lowercased. A token68
 * (`Basic abc==`) is kept under the parameter name `token68`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseChallenges } from "./challenge.ts";
 * const [bearer] = parseChallenges(
 *   'Bearer realm="https://auth.io/token",service="reg.io",scope="repository:a/b:pull,push"',
 * );
 * assert(bearer?.scheme === "bearer");
 * assert(bearer?.params.scope === "repository:a/b:pull,push");
 * ```
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const length = header.length;
  let i = 0;
  let current: Challenge | undefined;
  const skip = (chars: RegExp) => {
    while (i < length && chars.test(header[i]!)) i++;
  };
  while (i < length) {
    skip(/[\s,]/);
    if (i >= length) break;
    const start = i;
    while (i < length && !/[\s,=]/.test(header[i]!)) i++;
    const token = header.slice(start, i);
    if (token === "") {
      i++; // a stray "=": skip it
      continue;
    }
    const afterToken = i;
    skip(/[ \t]/);
    if (header[i] === "=" && current !== undefined) {
      // token68 ("abc==") or an auth-param ("name=value")?
      let eq = i;
      while (eq < length && header[eq] === "=") eq++;
      const rest = header.slice(eq).trimStart();
      if (eq - i > 1 || rest === "" || rest.startsWith(",")) {
        if (Object.keys(current.params).length === 0) {
          current.params.token68 = token + header.slice(i, eq);
        }
        i = eq;
        continue;
      }
      i++;
      skip(/[ \t]/);
      current.params[token.toLowerCase()] = readValue();
      continue;
    }
    i = afterToken;
    current = { scheme: token.toLowerCase(), params: {} };
    challenges.push(current);
  }
  return challenges;

  function readValue(): string {
    if (header[i] !== '"') {
      const start = i;
      while (i < length && !/[\s,]/.test(header[i]!)) i++;
      return header.slice(start, i);
    }
    i++;
    let value = "";
    while (i < length && header[i] !== '"') {
      if (header[i] === "\\" && i + 1 < length) i++;
      value += header[i];
      i++;
    }
    i++; // closing quote
    return value;
  }
}
