/**
 * The engine of `hangar mirror-validate`: tells, image by image and platform
 * by platform, whether images mirrored into a private registry are exactly
 * what the source registry serves.
 *
 * Parse a list with {@linkcode readImageList} (or one line with
 * {@linkcode parseListLine}), build clients with {@linkcode createClientFactory},
 * and iterate {@linkcode validateList} for a stream of typed results.
 *
 * @example Validate a list
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClientFactory, readImageList, validateList } from "./mod.ts";
 *
 * // A registry that lacks every image; pass no `fetch` to talk to real ones.
 * const fetch = (request: Request) => {
 *   const headers = { "docker-distribution-api-version": "registry/2.0" };
 *   if (new URL(request.url).pathname === "/v2/") {
 *     return Promise.resolve(new Response("{}", { headers }));
 *   }
 *   const body = '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}';
 *   return Promise.resolve(new Response(body, { status: 404, headers }));
 * };
 * const list = new Blob(["src.example/app dst.example/app 1\n"]).stream();
 * const clients = createClientFactory({
 *   fetch,
 *   credentials: { env: {}, home: "/nonexistent" },
 * });
 * const results = [];
 * for await (const result of validateList(readImageList(list), { clients, jobs: 10 })) {
 *   results.push(result);
 * }
 * clients.close();
 * assert.equal(results.length, 1);
 * assert.ok(results[0]!.kind === "image");
 * assert.deepEqual(results[0]!.outcome?.verdict, {
 *   status: "failed",
 *   kind: "missing",
 *   reason: "source manifest does not exist",
 * });
 * ```
 *
 * @example Parse one line
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListLine } from "./mod.ts";
 * const item = parseListLine("nginx:1.27", 1, { destination: "private.io" });
 * assert(item?.kind === "image" && item.destination.repository === "library/nginx");
 * ```
 *
 * @example Failure kinds and registry errors
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   FAILURE_KINDS,
 *   type FailureHint,
 *   type FailureKind,
 *   RegistryError,
 *   type RegistryErrorOptions,
 * } from "./mod.ts";
 * const kind: FailureKind = "tls";
 * const hint: FailureHint = "tls-verify";
 * const options: RegistryErrorOptions = {
 *   status: 502,
 *   method: "GET",
 *   url: "https://user:secret@r.example/v2/",
 *   hint,
 * };
 * const error = new RegistryError(kind, "certificate signed by unknown authority", options);
 * assert.ok(FAILURE_KINDS.includes(error.kind));
 * assert.equal(error.url, "https://r.example/v2/");
 * assert.equal(error.hint, "tls-verify");
 * ```
 *
 * @example The list, references, platforms and manifests
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   DEFAULT_REGISTRY,
 *   type Descriptor,
 *   type DigestAlgorithm,
 *   type ImageEntry,
 *   type ImageReference,
 *   type InvalidLine,
 *   type ListItem,
 *   type ListOptions,
 *   MANIFEST_ACCEPT,
 *   type Manifest,
 *   MAX_MANIFEST_BYTES,
 *   MEDIA_TYPES,
 *   parseListLine,
 *   parseReference,
 *   type ParseReferenceOptions,
 *   type Platform,
 *   type PlatformSelection,
 * } from "./mod.ts";
 * const options: ListOptions = { destination: "private.example" };
 * const items = ["nginx:1.27", "a b c d"].map((text, i) => parseListLine(text, i + 1, options));
 * const [entry, invalid] = items as [ImageEntry, InvalidLine];
 * assert.equal(entry.source.registry, DEFAULT_REGISTRY);
 * assert.equal(invalid.kind, "invalid");
 * const item: ListItem = entry;
 * const parse: ParseReferenceOptions = { defaultRegistry: "quay.io" };
 * const ref: ImageReference = parseReference("coreos/etcd:v3", parse);
 * assert.deepEqual([ref.registry, ref.repository, ref.tag], ["quay.io", "coreos/etcd", "v3"]);
 * const algorithm: DigestAlgorithm = "sha256";
 * const platform: Platform = { architecture: "arm64", os: "linux" };
 * const selection: PlatformSelection = { architectures: ["arm64"], oses: ["linux"] };
 * const config: Descriptor = {
 *   mediaType: "application/vnd.oci.image.config.v1+json",
 *   digest: `${algorithm}:${"c".repeat(64)}`,
 *   size: 2,
 *   platform,
 * };
 * const manifest: Manifest = {
 *   kind: "image",
 *   mediaType: MEDIA_TYPES.ociManifest,
 *   config,
 *   layers: [],
 * };
 * assert.ok(MANIFEST_ACCEPT.includes(manifest.mediaType));
 * assert.equal(MAX_MANIFEST_BYTES, 4 * 1024 * 1024);
 * assert.ok(item.kind === "image" && selection.oses.includes(platform.os));
 * ```
 *
 * @example The engine over a source of your own
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   BlobChecks,
 *   type ClientFactory,
 *   DEFAULT_ARCHITECTURES,
 *   DEFAULT_OSES,
 *   type ExtraChecks,
 *   type ImageCheck,
 *   type ImageOutcome,
 *   type LineResult,
 *   type ManifestSource,
 *   MAX_JOBS,
 *   MEDIA_TYPES,
 *   parseListLine,
 *   type PlatformSpec,
 *   type PlatformSpecs,
 *   platformSpecs,
 *   type ResolvedImage,
 *   SCHEMA1_WARNING,
 *   sha256Digest,
 *   type Side,
 *   SKIP_REASON,
 *   TagLists,
 *   validateImage,
 *   type ValidateImageOptions,
 *   validateList,
 *   type ValidateListOptions,
 *   type Verdict,
 * } from "./mod.ts";
 * // One single-platform image, served the same on both sides.
 * const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
 * const config = encode({ architecture: "amd64", os: "linux" });
 * const body = encode({
 *   schemaVersion: 2,
 *   mediaType: MEDIA_TYPES.ociManifest,
 *   config: {
 *     mediaType: "application/vnd.oci.image.config.v1+json",
 *     digest: await sha256Digest(config),
 *     size: config.length,
 *   },
 *   layers: [],
 * });
 * const digest = await sha256Digest(body);
 * const mediaType = MEDIA_TYPES.ociManifest;
 * const source: ManifestSource = {
 *   resolveManifest: () => Promise.resolve({ digest, mediaType }),
 *   getManifest: () => Promise.resolve({ digest, mediaType, body }),
 *   getBlob: () => Promise.resolve(config),
 * };
 * const sides: Side[] = [];
 * const clients: ClientFactory = (_registry, side) => (sides.push(side), source);
 * const entry = parseListLine("src.example/app dst.example/app 1", 1, {});
 * assert(entry?.kind === "image");
 * const extra: ExtraChecks = { deep: new BlobChecks(), referrers: new TagLists() };
 * const options: ValidateImageOptions = {
 *   clients,
 *   selection: { architectures: DEFAULT_ARCHITECTURES, oses: DEFAULT_OSES },
 * };
 * const outcome: ImageOutcome = await validateImage(entry, options);
 * const verdict: Verdict = outcome.verdict;
 * assert.equal(verdict.status, "passed");
 * assert.deepEqual(sides, ["source", "destination"]);
 *
 * // The pure rules on resolved images.
 * const image: ResolvedImage = {
 *   digest,
 *   manifest: { kind: "image", mediaType, config: { mediaType: "", digest, size: 1 }, layers: [] },
 *   platform: { architecture: "amd64", os: "linux" },
 * };
 * const both: PlatformSpecs = platformSpecs(image, image, options.selection);
 * const specs: PlatformSpec[] = both.srcSpec;
 * assert.deepEqual(specs.map((spec) => spec.digest), [digest]);
 * assert.notEqual(SKIP_REASON, SCHEMA1_WARNING);
 *
 * // A whole list, with a check of your own instead of validateImage.
 * const check: ImageCheck = () => Promise.resolve({ verdict: { status: "skipped", reason: SKIP_REASON } });
 * const list: ValidateListOptions = { clients, jobs: MAX_JOBS, check, extra: { deep: extra.deep !== undefined } };
 * const results: LineResult[] = [];
 * for await (const result of validateList([entry], list)) results.push(result);
 * assert.deepEqual(results.map((r) => r.kind === "image" && r.outcome?.verdict), [
 *   { status: "skipped", reason: SKIP_REASON },
 * ]);
 * ```
 *
 * @example The registry client's types
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   type AuthFileOptions,
 *   type ClientFactoryOptions,
 *   type ClosableClientFactory,
 *   type ClosableFetch,
 *   createClientFactory,
 *   createFetch,
 *   type CreateFetchOptions,
 *   type Credential,
 *   type CredentialSources,
 *   DEFAULT_CERT_DIRS,
 *   DEFAULT_TOKEN_SECONDS,
 *   type Fetch,
 *   type FetchedManifest,
 *   type FetchedToken,
 *   findCertificates,
 *   type FindCertificatesOptions,
 *   findCredential,
 *   type GetBlobOptions,
 *   type LoginOptions,
 *   type ProxyEnv,
 *   type RateLimitOptions,
 *   type ReferrerDescriptor,
 *   type Referrers,
 *   type RegistryCertificates,
 *   type RegistryClientFactory,
 *   type RegistryClientOptions,
 *   type RegistryFetchOptions,
 *   type ResolvedManifest,
 *   TokenCache,
 *   type TokenCacheOptions,
 *   type TokenKey,
 * } from "./mod.ts";
 * const proxyEnv: ProxyEnv = { NO_PROXY: "127.0.0.1" };
 * const sources: CredentialSources = { env: { DEST_USERNAME: "me", DEST_PASSWORD: "pw" } };
 * const credential: Credential | undefined = await findCredential("r.example", "destination", sources);
 * assert.deepEqual(credential, { username: "me", password: "pw" });
 * const certificates: FindCertificatesOptions = { dirs: ["/nonexistent"] };
 * const found: RegistryCertificates = await findCertificates("r.example", certificates);
 * assert.deepEqual(found.caCerts, []);
 * assert.deepEqual(DEFAULT_CERT_DIRS, ["/etc/containers/certs.d", "/etc/docker/certs.d"]);
 *
 * const key: TokenKey = { realm: "https://auth.example/token", scopes: [], identity: "anonymous" };
 * const fetched: FetchedToken = { token: "t", expiresInSeconds: DEFAULT_TOKEN_SECONDS };
 * const cacheOptions: TokenCacheOptions = { now: () => 0 };
 * assert.equal(await new TokenCache(cacheOptions).get(key, () => Promise.resolve(fetched)), "t");
 *
 * const fetchOptions: CreateFetchOptions = { tlsVerify: false, proxyEnv };
 * const closable: ClosableFetch = createFetch(fetchOptions);
 * const fetch: Fetch = closable;
 * closable.close();
 * const rateLimit: RateLimitOptions = { threshold: 5 };
 * const clientOptions: RegistryClientOptions = { fetch, rateLimit };
 * const registryFetch: RegistryFetchOptions = { tlsVerify: false, proxyEnv };
 * const authFile: AuthFileOptions = { authFile: "/nonexistent/auth.json" };
 * const login: LoginOptions = { ...authFile, tlsVerify: registryFetch.tlsVerify };
 * const factoryOptions: ClientFactoryOptions = { tlsVerifyBySide: { source: false }, proxyEnv };
 * const clients: ClosableClientFactory = createClientFactory(factoryOptions);
 * const factory: RegistryClientFactory = clients;
 * assert.equal(factory("127.0.0.1:5000", "source"), clients("127.0.0.1:5000", "source"));
 * clients.close();
 *
 * // What the client's reads give.
 * const resolved: ResolvedManifest = { digest: `sha256:${"a".repeat(64)}`, mediaType: "" };
 * const manifest: FetchedManifest = { ...resolved, body: new Uint8Array() };
 * const blob: GetBlobOptions = { maxBytes: 1024 };
 * const referrer: ReferrerDescriptor = { mediaType: "", digest: manifest.digest, size: 0, artifactType: "x" };
 * const referrers: Referrers = { descriptors: [referrer], via: "tag-schema" };
 * assert.equal(referrers.descriptors.length, blob.maxBytes! / 1024);
 * assert.ok(clientOptions.rateLimit === rateLimit && login.tlsVerify === false);
 * ```
 *
 * @example The report's types
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   type FailedFileOutcome,
 *   formatLogLine,
 *   HangarLog,
 *   type HangarLogOptions,
 *   type Level,
 *   type LogLine,
 *   type ResultLinesOptions,
 *   type RunNotice,
 *   type RunSummary,
 *   type Selection,
 *   type Tally,
 * } from "./mod.ts";
 * const out: string[] = [];
 * const options: HangarLogOptions = {
 *   stdout: (text) => out.push(text),
 *   stderr: (text) => out.push(text),
 *   list: "list.txt",
 *   now: () => new Date(2024, 0, 1, 9, 5, 7),
 * };
 * const log = new HangarLog(options);
 * const notice: RunNotice = { kind: "warning", message: "quota low" };
 * log.onNotice(notice);
 * const tally: Tally = { passed: 1, skipped: 0, failed: 0, invalid: 0, notRun: 0 };
 * const selection: Selection = { architectures: ["amd64"], oses: ["linux"] };
 * const failedFile: FailedFileOutcome = { path: "failed.txt", written: 0, failed: 0, notRun: 0 };
 * const summary: RunSummary = { tally, durationMs: 20, interrupted: false, selection, failedFile };
 * log.onSummary(summary);
 * assert.deepEqual(out, [
 *   "09:05:07 [WARN] quota low\n",
 *   "09:05:07 [INFO] Validated 1 line in 0.020s: 1 passed, 0 skipped, 0 failed, 0 invalid, 0 not run\n",
 * ]);
 * const level: Level = "INFO";
 * const line: LogLine = { level, message: "hello" };
 * const lines: ResultLinesOptions = { file: options.list, debug: false };
 * assert.equal(lines.file, "list.txt");
 * assert.equal(formatLogLine(line, new Date(2024, 0, 1, 9, 5, 7), false), "09:05:07 [INFO] hello");
 * ```
 *
 * @module
 */

// The public surface, on purpose: the pure types, the list, the verdict
// rules and engine (lib/compare.ts), the registry client (lib/registry.ts)
// and the report with its reporter interface and the hangar log reporter.
// CLI-only helpers (lib/cli/, lib/run/) are not exported.
export {
  errorFromResponse,
  FAILURE_KINDS,
  type FailureHint,
  type FailureKind,
  kindForStatus,
  redactUrl,
  RegistryError,
  type RegistryErrorOptions,
} from "./lib/errors.ts";
export * from "./lib/types/digest.ts";
export * from "./lib/types/reference.ts";
export * from "./lib/types/platform.ts";
export * from "./lib/types/manifest.ts";
export * from "./lib/types/duration.ts";
export {
  type ImageEntry,
  type InvalidLine,
  type ListItem,
  type ListOptions,
  parseListLine,
  readImageList,
} from "./lib/list/image_list.ts";
export * from "./lib/compare.ts";
export * from "./lib/registry.ts";
export * from "./lib/report/report.ts";
export * from "./lib/report/reporter.ts";
export * from "./lib/report/hangar_log.ts";
