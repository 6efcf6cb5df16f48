/**
 * A small token server for tests, per the distribution token spec: answers
 * `GET /token?service=..&scope=..` (anonymous or Basic) and the OAuth2
 * `POST /token` refresh_token grant with RS256 JWTs whose header carries the
 * signing certificate in `x5c`, which a `docker-registry` with
 * `auth.token.rootcertbundle` pointing at {@linkcode TokenServer.rootCertBundle}
 * accepts.
 *
 * @module
 */

import { runTool } from "./tools.ts";

/** Options of {@linkcode startTokenServer}. */
export interface TokenServerOptions {
  /** Directory for the signing key and certificate (the caller removes it). */
  dir: string;
  /**
   * `aud` of the tokens; the registry's `auth.token.service`.
   * @default "hangar-test-registry"
   */
  service?: string;
  /**
   * `iss` of the tokens; the registry's `auth.token.issuer`.
   * @default "hangar-test-issuer"
   */
  issuer?: string;
  /**
   * Accounts: user name to password. A user gets the pull access it asks for.
   * @default {}
   */
  users?: Record<string, string>;
  /**
   * Refresh (identity) tokens accepted by the POST grant, to the user they
   * stand for.
   * @default {}
   */
  identityTokens?: Record<string, string>;
  /**
   * Grant pull to anonymous requests, as Docker Hub does for public images.
   * @default false
   */
  anonymousPull?: boolean;
  /**
   * Grant at most this many of the scopes a request asks for (a token
   * service that narrows a batch).
   * @default no limit
   */
  maxScopes?: number;
  /**
   * Which field carries the token in the answer.
   * @default "token"
   */
  tokenField?: "token" | "access_token";
  /**
   * `expires_in` of the answers, in seconds.
   * @default 300
   */
  expiresIn?: number;
  /**
   * Serve HTTPS with this certificate and key.
   * @default plain HTTP
   */
  tls?: { certFile: string; keyFile: string };
}

/** What one token request was, without its secrets. */
export interface TokenRequestRecord {
  /** "GET" or "POST". */
  method: string;
  /** The user it was granted to, "anonymous", or "rejected". */
  user: string;
  /** Scopes asked for. */
  scopes: string[];
}

/** A running server made by {@linkcode startTokenServer}. */
export interface TokenServer {
  /** The realm: `http(s)://127.0.0.1:PORT/token`. */
  realm: string;
  /** The `service` the tokens are for. */
  service: string;
  /** The `issuer` of the tokens. */
  issuer: string;
  /** PEM file with the signing certificate, for `rootcertbundle`. */
  rootCertBundle: string;
  /** Every token request answered so far, in order. */
  requests: TokenRequestRecord[];
  /** Every token issued, for tests that search outputs for secrets. */
  issued: string[];
  /** Stops the server. */
  stop(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Makes an RSA signing key and a self-signed certificate with `openssl`, then
 * serves tokens on 127.0.0.1.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { startTokenServer } from "./token_server.ts";
 * const dir = await Deno.makeTempDir();
 * const server = await startTokenServer({ dir, users: { alice: "pw" } });
 * const response = await fetch(`${server.realm}?service=${server.service}`, {
 *   headers: { authorization: `Basic ${btoa("alice:pw")}` },
 * });
 * const body = await response.json();
 * assert(body.token.split(".").length === 3 && body.expires_in === 300);
 * await server.stop();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function startTokenServer(
  options: TokenServerOptions,
): Promise<TokenServer> {
  const service = options.service ?? "hangar-test-registry";
  const issuer = options.issuer ?? "hangar-test-issuer";
  const keyFile = `${options.dir}/token-signer.key`;
  const certFile = `${options.dir}/token-signer.crt`;
  // deno-fmt-ignore
  await runTool("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile,
    "-out", certFile, "-days", "2", "-subj", "/CN=hangar test token issuer",
  ]);
  const key = await crypto.subtle.importKey(
    "pkcs8",
    pemBody(await Deno.readTextFile(keyFile)),
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const x5c = base64(pemBody(await Deno.readTextFile(certFile)));
  const requests: TokenRequestRecord[] = [];
  const issued: string[] = [];
  const users = options.users ?? {};
  const identityTokens = options.identityTokens ?? {};

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname !== "/token") return new Response(null, { status: 404 });
    let params = url.searchParams;
    let user: string | undefined = "anonymous";
    if (request.method === "POST") {
      params = new URLSearchParams(await request.text());
      const refresh = params.get("refresh_token") ?? "";
      user = params.get("grant_type") === "refresh_token"
        ? identityTokens[refresh]
        : undefined;
    } else if (request.method === "GET") {
      const authorization = request.headers.get("authorization");
      if (authorization !== null) user = basicUser(authorization, users);
    } else {
      return new Response(null, { status: 405 });
    }
    const scopes = params.getAll("scope");
    requests.push({
      method: request.method,
      user: user ?? "rejected",
      scopes,
    });
    if (user === undefined) {
      return Response.json({
        errors: [{ code: "UNAUTHORIZED", message: "authentication failed" }],
      }, { status: 401 });
    }
    const granted = user === "anonymous" && !options.anonymousPull
      ? []
      : scopes.flatMap(grantPull);
    const access = granted.slice(0, options.maxScopes ?? granted.length);
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 300;
    const token = await signJwt(key, { typ: "JWT", alg: "RS256", x5c: [x5c] }, {
      iss: issuer,
      sub: user === "anonymous" ? "" : user,
      aud: service,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: crypto.randomUUID(),
      access,
    });
    issued.push(token);
    const field = options.tokenField ?? "token";
    return Response.json({
      [field]: token,
      expires_in: expiresIn,
      issued_at: new Date(now * 1000).toISOString(),
    });
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    ...(options.tls
      ? {
        cert: await Deno.readTextFile(options.tls.certFile),
        key: await Deno.readTextFile(options.tls.keyFile),
      }
      : {}),
  }, handler);
  const scheme = options.tls ? "https" : "http";
  return {
    realm: `${scheme}://127.0.0.1:${server.addr.port}/token`,
    service,
    issuer,
    rootCertBundle: certFile,
    requests,
    issued,
    stop: () => server.shutdown(),
  };
}

function grantPull(
  scope: string,
): { type: string; name: string; actions: string[] }[] {
  const match = /^repository:(.+):([a-z,*]+)$/.exec(scope);
  if (match === null || !match[2]!.split(",").includes("pull")) return [];
  return [{ type: "repository", name: match[1]!, actions: ["pull"] }];
}

function basicUser(
  authorization: string,
  users: Record<string, string>,
): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization);
  if (match === null) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(
      Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  const user = decoded.slice(0, colon);
  return colon > 0 && Object.hasOwn(users, user) &&
      users[user] === decoded.slice(colon + 1)
    ? user
    : undefined;
}

async function signJwt(
  key: CryptoKey,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): Promise<string> {
  const part = (value: unknown) =>
    base64Url(encoder.encode(JSON.stringify(value)));
  const input = `${part(header)}.${part(claims)}`;
  const signature = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    key,
    encoder.encode(input),
  );
  return `${input}.${base64Url(new Uint8Array(signature))}`;
}

function pemBody(pem: string): Uint8Array<ArrayBuffer> {
  const text = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function base64Url(bytes: Uint8Array): string {
  return base64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}
