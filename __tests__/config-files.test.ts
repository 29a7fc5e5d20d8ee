import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { CLUSTER_VARS_NAME, undefinedVariables } from "../constructs/bootstrap/cluster-vars";
import { API_VERSIONS, FLUX_NAMESPACE, FLUX_SOURCE_NAME } from "../constructs/flux/api";
import { CONFIG_FILES_DIR, LAYOUT, renderFiles, SETTER_MARKER } from "../constructs/bootstrap/gitops-files";
import { HELM_VALUES_KEY } from "../constructs/bootstrap/helm-values";
import { Json } from "./helpers";

// Every YAML document in config_files/, parsed and held to what Flux and this project expect.
const sources = (readdirSync(CONFIG_FILES_DIR, { recursive: true }) as string[])
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((file) => ({ file, text: readFileSync(path.join(CONFIG_FILES_DIR, file), "utf8") }));
const docs = sources.flatMap(({ file, text }) =>
  parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
    return { file, doc: d.toJS() as Json };
  }),
);
const ofKind = (kind: string) => docs.filter((d) => d.doc.kind === kind && d.doc.apiVersion !== "kustomize.config.k8s.io/v1beta1");

describe("config_files/", () => {
  test("holds the Flux objects the GitOps loop needs", () => {
    const kinds = new Set(docs.map((d) => d.doc.kind));
    for (const kind of ["Kustomization", "HelmRepository", "HelmRelease", "ImageRepository", "ImagePolicy", "ImageUpdateAutomation", "Deployment", "Service"]) {
      expect(kinds).toContain(kind);
    }
  });

  test.each(docs.map((d) => [`${d.file} ${d.doc.kind}/${d.doc.metadata?.name}`, d.doc] as const))(
    "%s: a current API version, a name, no Secret",
    (_label, doc) => {
      expect(doc.metadata?.name).toBeTruthy();
      expect(doc.kind).not.toBe("Secret");
      const group = String(doc.apiVersion).split("/")[0];
      if (group.endsWith("toolkit.fluxcd.io")) {
        expect(doc.apiVersion).toBe(API_VERSIONS[doc.kind as keyof typeof API_VERSIONS]);
      }
    },
  );

  test("Flux Kustomizations: interval, retry, timeout, prune, wait, substitution from cluster-vars, infrastructure before apps", () => {
    const kustomizations = ofKind("Kustomization");
    expect(kustomizations.map((k) => k.doc.metadata.name).sort()).toEqual(["apps", "infrastructure"]);
    for (const { doc } of kustomizations) {
      expect(doc.spec).toMatchObject({ prune: true, wait: true, sourceRef: { kind: "GitRepository", name: FLUX_SOURCE_NAME } });
      for (const key of ["interval", "retryInterval", "timeout"]) expect(doc.spec[key]).toMatch(/^\d+[hms]/);
      expect(doc.spec.postBuild.substituteFrom).toEqual([{ kind: "ConfigMap", name: CLUSTER_VARS_NAME }]);
    }
    const apps = kustomizations.find((k) => k.doc.metadata.name === "apps")!.doc;
    expect(apps.spec.dependsOn).toEqual([{ name: "infrastructure" }]);
  });

  test("the setter marker, the ImagePolicy and the ImageRepository form one chain to ECR", () => {
    const markers = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/# (\{"\$imagepolicy": "([^"]+)"\})/g)].map((m) => ({ file, ref: m[2] })),
    );
    expect(markers).toHaveLength(1);
    const [namespace, policyName] = markers[0].ref.split(":");
    const policy = ofKind("ImagePolicy").find((p) => p.doc.metadata.name === policyName && p.doc.metadata.namespace === namespace)!;
    expect(policy).toBeDefined();
    expect(policy.doc.spec.policy.semver.range).toMatch(/\$\{IMAGE_SEMVER_RANGE(:=[^}]+)?\}/);
    const repo = ofKind("ImageRepository").find((r) => r.doc.metadata.name === policy.doc.spec.imageRepositoryRef.name)!;
    expect(repo.doc.spec).toMatchObject({ image: "${ECR_REPOSITORY_URL}", provider: "aws" });
    expect(repo.doc.metadata.namespace).toBe(FLUX_NAMESPACE);
  });

  test("ImageUpdateAutomation: the flux-system source, an author, .Changed in the message, Setters scoped to the app folder", () => {
    const [{ doc, file }] = ofKind("ImageUpdateAutomation");
    expect(doc.spec.sourceRef).toEqual({ kind: "GitRepository", name: FLUX_SOURCE_NAME });
    expect(doc.spec.git.commit.author.name).toBeTruthy();
    expect(doc.spec.git.commit.messageTemplate).toContain(".Changed");
    expect(doc.spec.git.commit.messageTemplate).not.toContain(".Updated");
    expect(doc.spec.git.push.branch).toBeTruthy();
    expect(doc.spec.update).toEqual({ path: "./apps/${ENVIRONMENT}", strategy: "Setters" });
    // The update path is the folder the automation and the marked file live in.
    const marked = sources.find((s) => s.text.includes(SETTER_MARKER))!;
    expect(path.dirname(marked.file)).toBe(path.dirname(file));
  });

  test("every ${VAR} is a key of cluster-vars or carries a default (Flux turns undefined ones into empty strings)", () => {
    expect(sources.flatMap(({ file, text }) => undefinedVariables(text).map((v) => `${file}: ${v}`))).toEqual([]);
    // The check itself catches a made-up variable and accepts one with a default.
    expect(undefinedVariables("a: ${NOT_A_VAR}\nb: ${OTHER:=x}\nc: ${CLUSTER_NAME}")).toEqual(["${NOT_A_VAR}"]);
  });

  test("HelmReleases take their values from Terraform-owned ConfigMaps named <release>-values", () => {
    for (const { doc } of ofKind("HelmRelease")) {
      expect(doc.spec.valuesFrom).toEqual([{ kind: "ConfigMap", name: `${doc.metadata.name}-values`, valuesKey: HELM_VALUES_KEY }]);
    }
  });

  test("rendering fills every synth-time placeholder and refuses unknown ones", () => {
    const rendered = renderFiles({ ENVIRONMENT: "qa", CLUSTER_NAME: "c1" }, { shared: true, features: ["webhook", "commit-status"] });
    expect(rendered.length).toBe(sources.length);
    for (const f of rendered) expect(f.content).not.toMatch(/__[A-Z_]+__/);
    expect(rendered.filter((f) => f.fluxOwned).map((f) => f.target)).toEqual(["apps/qa/kustomization.yaml"]);
    const dir = mkdtempSync(path.join(tmpdir(), "config-files-"));
    for (const entry of LAYOUT) mkdirSync(path.join(dir, entry.source), { recursive: true });
    writeFileSync(path.join(dir, "clusters", "x.yaml"), "path: ./apps/__NAMESPACE__\n");
    expect(() => renderFiles({ ENVIRONMENT: "qa", CLUSTER_NAME: "c1" }, { shared: true, features: [] }, dir)).toThrow(
      /config_files\/clusters\/x\.yaml: unknown placeholder __NAMESPACE__; known: ENVIRONMENT, CLUSTER_NAME/,
    );
  });
});
