import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { parseEnvironmentText } from "../../config/load";
import { EKS_KUBERNETES_VERSIONS } from "../../config/versions";
import { readConfigFile } from "../../config/yaml-file";
import type { Json } from "../helpers";
import { BASE } from "./invalid-cases";

// The rules must not refuse what AWS, GitLab, git and Flux accept: one accepted value per rule family.
const ACCEPTED: [string, Json][] = [
  ["a prerelease semver range", { apps: { web: { semverRange: ">=0.0.0-0" } } }],
  ["alternatives and a hyphen range", { apps: { web: { semverRange: "^1.2 || 1.0.0 - 1.1.9" } } }],
  ["comma-separated comparisons", { apps: { web: { semverRange: ">= 1.2, < 3.0.0-rc.1" } } }],
  [
    "an app with every generated-base setting",
    {
      apps: {
        api: {
          namespace: "payments",
          port: 3000,
          replicas: 2,
          healthPath: "/healthz",
          runAsUser: 10001,
          cpu: "0.5",
          memory: "1Gi",
          writablePaths: ["/tmp", "/var/run/app"],
        },
      },
    },
  ],
  ["an app left out of an environment", { apps: { web: { enabled: false, manifests: "folder" } } }],
  ["an app on its way out", { apps: { web: { enabled: "removing", manifests: "folder" } } }],
  [
    "plain http to localhost",
    {
      gitlab: {
        baseUrl: "http://localhost:8080/",
        sshKnownHosts: ["localhost ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf"],
      },
    },
  ],
  [
    "a self-managed GitLab with a port and its host keys",
    {
      gitlab: {
        baseUrl: "https://gitlab.example.com:8443",
        sshHost: "ssh.example.com:2222",
        sshKnownHosts: [
          "[ssh.example.com]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf",
        ],
      },
    },
  ],
  ["a nested group and dotted project", { gitlab: { group: "platform/team_a", project: "flux.gitops" } }],
  ["a branch with slashes, dots and plus", { gitlab: { branch: "release/v1.2+build" } }],
  [
    "tags with spaces and allowed symbols",
    { tags: { "cost center": "R&D".replace("&", "+"), "team:owner": "a@b.c/d=e" } },
  ],
  [
    "a /28 VPC",
    {
      network: {
        vpcCidr: "10.9.0.0/26",
        privateSubnets: ["10.9.0.0/28", "10.9.0.16/28"],
        publicSubnets: ["10.9.0.32/28", "10.9.0.48/28"],
        availabilityZones: ["us-west-2a", "us-west-2b"],
      },
    },
  ],
  ...Object.keys(EKS_KUBERNETES_VERSIONS).map((v): [string, Json] => [
    `Kubernetes ${v}`,
    { cluster: { kubernetesVersion: v } },
  ]),
  [
    "an S3 backend with a KMS key of its region",
    {
      backend: {
        type: "s3",
        bucket: "team.state-1",
        region: "eu-west-1",
        keyPrefix: "infra/gitops",
        kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/abc-123",
      },
    },
  ],
  ["GitLab state by numeric id", { backend: { type: "gitlab", project: 42, readersMaySeeSecrets: true } }],
  [
    "a certificate in the cluster's region",
    {
      gitops: {
        webhook: {
          enabled: true,
          hostname: "hook.example.com",
          certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000000",
          sourceRanges: ["gitlab.com"],
        },
      },
    },
  ],
];

// Each written as a real file, with the byte-order mark and comment some editors add.
test.each(ACCEPTED)("accepts %s", (_name, patch) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "valid-")), "test.yaml");
  const settings = {
    ...BASE,
    ...patch,
    gitlab: { ...BASE.gitlab, ...patch.gitlab },
    cluster: { ...BASE.cluster, ...patch.cluster },
  };
  writeFileSync(file, `\ufeff# comment\n${stringify(settings)}`);
  expect(() => parseEnvironmentText(readConfigFile(file, "test.yaml"))).not.toThrow();
});
