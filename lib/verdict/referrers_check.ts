/**
 * `--referrers`: will a policy check pass? Every artifact that refers to a
 * checked digest at the source (OCI 1.1 referrers, from the API or the
 * referrers tag schema, and cosign's `<alg>-<hex>.sig|.att|.sbom` tags) must
 * be at the destination with the same digest.
 *
 * @module
 */

import { RegistryError } from "../errors.ts";
import type { Verdict } from "./compare.ts";
import type { ManifestSource } from "./source.ts";

/** Cosign's tag suffixes and what they hold. */
const COSIGN_TAGS: readonly (readonly [string, string])[] = [
  [".sig", "signature"],
  [".att", "attestation"],
  [".sbom", "SBOM"],
];

/** Tag lists remembered in a run; the oldest are forgotten beyond it. */
const REMEMBERED_LISTS = 20_000;

/** An artifact found for a subject digest. */
export interface Artifact {
  /** Its manifest digest. */
  digest: string;
  /** signature, attestation, SBOM, or `artifact (TYPE)`. */
  type: string;
  /** How it was found: `referrers API`, `referrers tag schema`, or `tag NAME`. */
  via: string;
}

/**
 * What an artifact is, from its artifact type or media type.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { artifactKind } from "./referrers_check.ts";
 * assert.equal(artifactKind("application/vnd.dev.cosign.artifact.sig.v1+json"), "signature");
 * assert.equal(artifactKind("application/spdx+json"), "SBOM");
 * assert.equal(artifactKind("application/vnd.in-toto+json"), "attestation");
 * assert.equal(artifactKind("application/x.example"), "artifact (application/x.example)");
 * ```
 */
export function artifactKind(type: string | undefined): string {
  const t = (type ?? "").toLowerCase();
  if (/sig(nature)?\b|\.sig\.|notary/.test(t)) return "signature";
  if (/sbom|spdx|cyclonedx|syft/.test(t)) return "SBOM";
  if (/in-toto|dsse|attestation|provenance|\.att\./.test(t)) {
    return "attestation";
  }
  return `artifact (${type || "no type"})`;
}

/**
 * The tag lists of one run, shared by its images: each repository's tags
 * are listed once per registry.
 */
export class TagLists {
  #known = new Map<string, Promise<ReadonlySet<string>>>();

  /** The tags of `repository`; empty when the repository has none. */
  get(
    client: ManifestSource,
    registry: string,
    repository: string,
    signal?: AbortSignal,
  ): Promise<ReadonlySet<string>> {
    const key = `${registry}/${repository}`;
    let known = this.#known.get(key);
    if (known === undefined) {
      if (client.listTags === undefined) return Promise.resolve(new Set());
      known = client.listTags(repository, signal).then(
        (tags) => new Set(tags),
        (error) => {
          if (error instanceof RegistryError && error.kind === "missing") {
            return new Set<string>();
          }
          throw error;
        },
      );
      this.#known.set(key, known);
      known.catch(() => {
        if (this.#known.get(key) === known) this.#known.delete(key);
      });
      while (this.#known.size > REMEMBERED_LISTS) {
        this.#known.delete(this.#known.keys().next().value!);
      }
    }
    return known;
  }
}

/** Options of {@linkcode findArtifacts}. */
export interface FindArtifactsOptions {
  /** The registry of `client` (the key of the tag lists). */
  registry: string;
  /** The run's tag lists. */
  tags: TagLists;
  /** Aborts the reads. */
  signal?: AbortSignal | undefined;
}

/** Every artifact that refers to `subject` in `repository`. */
export async function findArtifacts(
  client: ManifestSource,
  repository: string,
  subject: string,
  options: FindArtifactsOptions,
): Promise<Artifact[]> {
  const { signal } = options;
  const [referrers, tags] = await Promise.all([
    client.listReferrers?.(repository, subject, signal),
    options.tags.get(client, options.registry, repository, signal),
  ]);
  const found: Artifact[] = (referrers?.descriptors ?? []).map((d) => ({
    digest: d.digest,
    type: artifactKind(d.artifactType ?? d.mediaType),
    via: referrers!.via === "api" ? "referrers API" : "referrers tag schema",
  }));
  const base = subject.replace(":", "-");
  const cosign = await Promise.all(
    COSIGN_TAGS.filter(([suffix]) => tags.has(base + suffix)).map(
      async ([suffix, type]) => {
        const tag = base + suffix;
        const head = await client.resolveManifest(repository, tag, signal);
        return { digest: head.digest, type, via: `tag ${tag}` };
      },
    ),
  );
  return [...found, ...cosign];
}

/** An error of one side of the referrer lookups, named by its side. */
export class SideError extends Error {
  /** The side whose request failed. */
  side: "source" | "destination";

  /** Wraps `cause`, an error of `side`. */
  constructor(side: "source" | "destination", cause: unknown) {
    super(`${side} referrers could not be read`, { cause });
    this.name = "SideError";
    this.side = side;
  }
}

/** A digest whose referrers are compared, with the name it is shown by. */
export interface Subject {
  /** The destination's digest. */
  digest: string;
  /** The source's digest, when the mirror changed it. @default digest */
  source?: string;
  /** `image` or a platform such as `linux/amd64`. */
  label: string;
}

/** What `--referrers` found for one image. */
export interface ReferrerChecks {
  /** Artifacts found at the source. */
  referrersSource: number;
  /** Of those, found at the destination with the same digest. */
  referrersDestination: number;
}

/** Options of {@linkcode checkReferrers}. */
export interface CheckReferrersOptions {
  /** Source and destination registries. */
  registries: { source: string; destination: string };
  /** Source and destination repositories. */
  repositories: { source: string; destination: string };
  /** The run's tag lists. */
  tags: TagLists;
  /** Aborts the reads. */
  signal?: AbortSignal | undefined;
}

/**
 * Compares the artifacts of each subject on both sides: a FAIL of kind
 * `referrer-missing` naming type and digest of each source artifact the
 * destination lacks; `debug` lists what was found on both sides.
 */
export async function checkReferrers(
  clients: { source: ManifestSource; destination: ManifestSource },
  subjects: readonly Subject[],
  options: CheckReferrersOptions,
): Promise<{ verdict?: Verdict; checks: ReferrerChecks; debug: string[] }> {
  const checks: ReferrerChecks = {
    referrersSource: 0,
    referrersDestination: 0,
  };
  const debug: string[] = [];
  const missing: string[] = [];
  const side = (name: "source" | "destination", subject: string) =>
    findArtifacts(clients[name], options.repositories[name], subject, {
      registry: options.registries[name],
      tags: options.tags,
      signal: options.signal,
    }).catch((error) => {
      throw new SideError(name, error);
    });
  // Every subject at once (a registry's first answer still settles whether
  // it has the API before the others ask); results in order.
  const found = await Promise.all(subjects.map((subject) =>
    Promise.all([
      side("source", subject.source ?? subject.digest),
      side("destination", subject.digest),
    ])
  ));
  for (const [i, subject] of subjects.entries()) {
    const source = subject.source ?? subject.digest;
    const [atSource, atDestination] = found[i]!;
    const list = (artifacts: Artifact[]) =>
      artifacts.map((a) => `${a.type} ${a.digest} (${a.via})`).join(", ") ||
      "none";
    debug.push(
      `referrers of ${subject.label} ${source}${
        source === subject.digest ? "" : ` (destination ${subject.digest})`
      }: source ${list(atSource)}; destination ${list(atDestination)}`,
    );
    const held = new Set(atDestination.map((a) => a.digest));
    const seen = new Set<string>();
    for (const artifact of atSource) {
      if (seen.has(artifact.digest)) continue;
      seen.add(artifact.digest);
      checks.referrersSource++;
      if (held.has(artifact.digest)) checks.referrersDestination++;
      else {
        missing.push(`${artifact.type} ${artifact.digest} of ${subject.label}`);
      }
    }
  }
  if (missing.length === 0) return { checks, debug };
  return {
    checks,
    debug,
    verdict: {
      status: "failed",
      kind: "referrer-missing",
      reason: `missing in destination: ${missing.join("; ")}`,
    },
  };
}
