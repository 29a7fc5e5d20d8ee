import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import type { AppSettings } from "../../config/schema-apps";
import { API_VERSIONS, FLUX_NAMESPACE, IMAGE_RECEIVER } from "../flux/api";
import { CONFIG_FILES_DIR, fillPlaceholders, RenderedFile, SynthValues } from "./gitops-files";
import { generatedWorkload } from "./generated-workload";
import { yamlText } from "./yaml-text";

/** The cluster-vars key holding the ECR registry host: images are `${ECR_REGISTRY}/<environment>/<app>`. */
export const ECR_REGISTRY_VAR = "ECR_REGISTRY";

/** The values an app's folder base may use besides SynthValues: `__APP_NAME__`, `__APP_NAMESPACE__`. */
export interface AppValues extends SynthValues {
  readonly APP_NAME: string;
  readonly APP_NAMESPACE: string;
}

export interface AppFilesProps {
  /** The environment: names the overlay folder `apps/<environment>` and the ECR repositories. */
  readonly values: SynthValues;
  /** The apps deployed here, by name, in a stable order. */
  readonly apps: readonly (readonly [string, AppSettings])[];
  /** The image Receiver (feature image-receiver): the GitLab issuer and audience it accepts. */
  readonly receiver?: { readonly issuerHost: string; readonly audience: string; readonly clusterPath: string };
  /** The Reloader add-on runs: generated workloads restart when their infrastructure values change. @default false */
  readonly reloader?: boolean;
  /** Where the folder bases live. @default config_files/ */
  readonly dir?: string;
}

const file = (source: string, target: string, content: string, fluxOwned = false): RenderedFile => ({
  source,
  target,
  content,
  fluxOwned,
});

/**
 * Every app's GitOps files, built from the configuration: its folder `apps/<environment>/<app>/`
 * (replicas, the image, ImageRepository and ImagePolicy, the image-tag Component Flux owns, and a
 * generated app's workload; a folder app's base is the team's `apps/base/<app>/`), the
 * environment's list of apps, and the image Receiver listing every app that releases from GitLab.
 * Removing an app removes its files. A generated app is three files, not a base of its own: each
 * environment's repository is its own anyway, and every file is a Terraform resource (README
 * "Performance").
 */
export function appFiles(props: AppFilesProps): RenderedFile[] {
  const env = props.values.ENVIRONMENT;
  const files: RenderedFile[] = [];
  for (const [name, app] of props.apps) {
    if (app.manifests === "folder") {
      files.push(...folderBase(name, { ...props.values, APP_NAME: name, APP_NAMESPACE: app.namespace }, props.dir));
      files.push(...overlay(env, name, app));
    } else files.push(...overlay(env, name, app, generatedWorkload(name, app, { reloader: props.reloader })));
  }
  files.push(
    file(
      "generated/apps/environment/kustomization.yaml",
      `apps/${env}/kustomization.yaml`,
      yamlText(
        [
          {
            apiVersion: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources: [...props.apps.map(([name]) => name), "image-automation.yaml"],
          },
        ],
        `The apps of ${env}, one folder each, from the configuration's apps (Terraform writes this file).`,
      ),
    ),
  );
  const releasing = props.apps.filter(([, app]) => app.project);
  if (props.receiver && releasing.length > 0) files.push(receiverFile(props.receiver, releasing));
  return files;
}

/** The team's own base: every YAML file of config_files/apps/base/<name>/, placeholders filled. */
function folderBase(name: string, values: AppValues, dir = CONFIG_FILES_DIR): RenderedFile[] {
  const folder = path.join(dir, "apps", "base", name);
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort()
    .map((relative) => {
      const source = `apps/base/${name}/${relative}`;
      const text = readFileSync(path.join(dir, source), "utf8");
      return file(source, source, fillPlaceholders(text, values, `config_files/${source}`));
    });
}

/**
 * apps/<environment>/<app>/: replicas, the image automation objects, the Flux-owned image tag, and a generated
 * workload.
 */
function overlay(env: string, name: string, app: AppSettings, workload?: object[]): RenderedFile[] {
  const folder = `apps/${env}/${name}`;
  const source = `generated/apps/${name}/overlay`;
  const image = {
    apiVersion: API_VERSIONS.ImageRepository,
    kind: "ImageRepository",
    metadata: { name, namespace: FLUX_NAMESPACE },
    // Credentials from EKS Pod Identity (the image-reflector's role reads every app repository).
    spec: { image: `\${${ECR_REGISTRY_VAR}}/${env}/${name}`, interval: "1m0s", provider: "aws" },
  };
  const policy = {
    apiVersion: API_VERSIONS.ImagePolicy,
    kind: "ImagePolicy",
    metadata: { name, namespace: FLUX_NAMESPACE },
    spec: { imageRepositoryRef: { name }, policy: { semver: { range: app.semverRange } } },
  };
  // Written once by Terraform, then rewritten by Flux on the marked line only: kept to that line.
  const setter = [
    "# The image Flux rolls out. Terraform creates this file once; from then on Flux's image automation",
    "# owns it and rewrites the tag on the marked line. Keep anything else out of this file.",
    "apiVersion: kustomize.config.k8s.io/v1alpha1",
    "kind: Component",
    "metadata:",
    `  name: ${name}-image-tag`,
    "images:",
    `  - name: ${name}`,
    `    newName: \${${ECR_REGISTRY_VAR}}/${env}/${name}`,
    `    newTag: 0.0.1 # {"$imagepolicy": "${FLUX_NAMESPACE}:${name}:tag"}`,
    "",
  ].join("\n");
  return [
    file(
      `${source}/kustomization.yaml`,
      `${folder}/kustomization.yaml`,
      yamlText(
        [
          {
            apiVersion: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources: workload ? ["manifests.yaml"] : [`../../base/${name}`, "image.yaml"],
            components: ["image-tag"],
            replicas: [{ name, count: app.replicas }],
          },
        ],
        `${name} in ${env}, owned by Terraform. The tag lives in image-tag/, the one file Flux rewrites.`,
      ),
    ),
    workload
      ? file(
          `${source}/manifests.yaml`,
          `${folder}/manifests.yaml`,
          yamlText(
            [...workload, image, policy],
            `${name}, generated from the configuration (apps.${name}): non-root, read-only root filesystem, ` +
              `no\ncapabilities, RuntimeDefault seccomp, no service-account token, probes, requests and a memory ` +
              `limit;\nits ECR repository scanned, the newest tag in its semver range picked for this environment.`,
          ),
        )
      : file(
          `${source}/image.yaml`,
          `${folder}/image.yaml`,
          yamlText(
            [image, policy],
            "Scan the app's ECR repository; pick the newest tag in its semver range for this environment.",
          ),
        ),
    file(`${source}/image-tag/kustomization.yaml`, `${folder}/image-tag/kustomization.yaml`, setter, true),
  ];
}

/**
 * The generic-oidc Receiver the apps' release pipelines call with a GitLab CI ID token: Flux
 * verifies the signature, the audience and the claims, then scans the listed ImageRepositories.
 * https://fluxcd.io/flux/components/notification/receivers/ (type generic-oidc, Flux 2.9)
 */
function receiverFile(
  receiver: NonNullable<AppFilesProps["receiver"]>,
  releasing: readonly (readonly [string, AppSettings])[],
): RenderedFile {
  // Project paths are `[A-Za-z0-9_.-/]` only (schema), so they sit safely in CEL string literals.
  const projects = [...new Set(releasing.map(([, app]) => app.project!))].map((p) => `'${p}'`).join(", ");
  const doc = {
    apiVersion: API_VERSIONS.Receiver,
    kind: "Receiver",
    metadata: { name: IMAGE_RECEIVER.name, namespace: IMAGE_RECEIVER.namespace },
    spec: {
      type: "generic-oidc",
      oidcProviders: [
        {
          issuerURL: `https://${receiver.issuerHost}`,
          // A token minted for another cluster or service is refused.
          audience: receiver.audience,
          validations: [
            {
              expression: `claims.project_path in [${projects}]`,
              message: "only the apps' release projects may trigger this cluster's image scan",
            },
            { expression: "claims.ref_type == 'tag'", message: "only tag pipelines release images" },
            { expression: "claims.ref_protected == 'true'", message: "only protected tags release images" },
          ],
        },
      ],
      resources: releasing.map(([name]) => ({
        apiVersion: API_VERSIONS.ImageRepository,
        kind: "ImageRepository",
        name,
        namespace: FLUX_NAMESPACE,
      })),
    },
  };
  return file(
    "generated/features/image-receiver/receiver.yaml",
    `${receiver.clusterPath}/image-receiver/receiver.yaml`,
    yamlText([doc], "Wakes Flux the moment an app's release pipeline (ci/app.gitlab-ci.yml) has pushed an image."),
  );
}
