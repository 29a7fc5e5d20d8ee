import { spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { ConfigError, knownEnvironments, loadEnvironment, parseEnvironmentText } from "../../config/load";
import { Json } from "../helpers";

const FILE = "config/environments/test.yaml";
const MINIMAL: Json = {
  gitlab: { group: "team", project: "gitops" },
  cluster: { publicAccessCidrs: ["203.0.113.0/24"] },
};

/** The messages for a file made of MINIMAL with `patch` applied at the top level. */
function problems(patch: Json | string): string[] {
  const text = typeof patch === "string" ? patch : stringify({ ...MINIMAL, ...patch });
  try {
    parseEnvironmentText({ text, file: FILE });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the file to be rejected");
}

describe("environment files", () => {
  test("minimal: a file with only the GitLab project and endpoint CIDRs gets the seed defaults", () => {
    const env = parseEnvironmentText({ text: stringify(MINIMAL), file: FILE });
    expect(env.cluster.name).toBe("flux-cluster");
    expect(env.network.vpcCidr).toBe("10.0.0.0/16");
    expect(env.network.availabilityZones).toHaveLength(3);
    expect(env.network.natGateways).toBe("single");
    expect(env.nodeGroup).toMatchObject({
      capacityType: "SPOT",
      instanceTypes: ["t3.large"],
      minSize: 1,
      desiredSize: 1,
      maxSize: 4,
    });
    expect(env.cluster.logRetentionDays).toBe(7);
    expect(env.ecr).toEqual({ keepImages: 30, forceDelete: false });
    expect([...env.cluster.addons].sort()).toEqual([
      "aws-ebs-csi-driver",
      "coredns",
      "eks-pod-identity-agent",
      "kube-proxy",
      "vpc-cni",
    ]);
    expect(env.apps).toEqual({});
    expect(env.gitops.namespaces).toEqual([]);
    expect(env.backend).toEqual({ type: "local" });
  });

  test.each(knownEnvironments())("the committed environment %s is valid", (name) => {
    expect(loadEnvironment(name).name).toBe(name);
  });

  test("an unknown environment fails with the list of known ones", () => {
    expect(() => loadEnvironment("staging")).toThrow(
      /GITOPS_ENV=staging: unknown environment; known environments: .*dev/,
    );
  });

  test("an environment file is merged over defaults.yaml: mappings merge, lists replace", () => {
    const defaults = {
      text: stringify({
        ...MINIMAL,
        tags: { team: "platform" },
        nodeGroup: { instanceTypes: ["m6i.large", "m5.large"] },
      }),
      file: "defaults.yaml",
    };
    const env = parseEnvironmentText(
      { text: stringify({ tags: { env: "qa" }, nodeGroup: { instanceTypes: ["c6i.large"] } }), file: FILE },
      defaults,
    );
    expect(env.tags).toEqual({ team: "platform", env: "qa" });
    expect(env.nodeGroup.instanceTypes).toEqual(["c6i.large"]);
    expect(env.gitlab.project).toBe("gitops");
    const s3Defaults = {
      text: stringify({ ...MINIMAL, backend: { type: "s3", bucket: "team-state" } }),
      file: "defaults.yaml",
    };
    expect(parseEnvironmentText({ text: "backend: {type: local}\n", file: FILE }, s3Defaults).backend).toEqual({
      type: "local",
    });
  });

  test("a problem is reported against the file that set the key", () => {
    const defaults = {
      text: stringify({ ...MINIMAL, regoin: "us-west-2", nodeGroup: { maxSize: 0 } }),
      file: "config/defaults.yaml",
    };
    let lines: string[] = [];
    try {
      parseEnvironmentText({ text: stringify({ ecr: { keepImages: 0 } }), file: FILE }, defaults);
    } catch (error) {
      lines = (error as ConfigError).problems;
    }
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config\/defaults\.yaml: regoin: unknown key/),
        expect.stringMatching(/^config\/defaults\.yaml: nodeGroup\.maxSize: /),
        expect.stringMatching(/^config\/environments\/test\.yaml: ecr\.keepImages: /),
      ]),
    );
  });

  test("field and cross-field problems are reported together", () => {
    const lines = problems({
      ecr: { keepImages: 0 },
      apps: { web: { manifests: "folder" } },
      network: { vpcCidr: "10.0.0.0/8" },
    });
    expect(lines).toEqual([
      expect.stringMatching(/network\.vpcCidr: must be a \/16 to \/28 block/),
      expect.stringMatching(/ecr\.keepImages: /),
      expect.stringMatching(
        /apps\.web\.manifests: is folder, but config_files\/apps\/base\/web\/kustomization\.yaml does not exist/,
      ),
    ]);
  });

  test("every problem is reported at once, one line each", () => {
    const lines = problems({ ecr: { keepImages: 0 }, nodeGroup: { instanceTypes: [] }, surprise: true });
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.startsWith(`${FILE}: `)).toBe(true);
  });
});

// One failing input per validation rule: each message names the file, the key path and what is allowed.
const RULES: [string, Json | string, RegExp][] = [
  ["unknown top-level key", { clusterr: {} }, /clusterr: unknown key \(allowed here: region, tags, network/],
  [
    "unknown nested key",
    { cluster: { nmae: "x", publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.nmae: unknown key \(allowed here: name, kubernetesVersion/,
  ],
  ["missing gitlab project", { gitlab: { group: "team" } }, /gitlab\.project: is required/],
  ["malformed region", { region: "us_west_2" }, /region: must be an AWS region name/],
  [
    "malformed availability zone",
    { network: { availabilityZones: ["us-west-2", "us-west-2b"] } },
    /network\.availabilityZones\.0: must be an availability zone name/,
  ],
  [
    "zone of another region",
    { network: { availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] } },
    /network\.availabilityZones\.0: must be a zone of region us-west-2/,
  ],
  [
    "fewer than 2 zones",
    {
      network: { availabilityZones: ["us-west-2a"], privateSubnets: ["10.0.1.0/24"], publicSubnets: ["10.0.101.0/24"] },
    },
    /network\.availabilityZones: must list at least 2/,
  ],
  [
    "subnets not matching zones",
    { network: { privateSubnets: ["10.0.1.0/24", "10.0.2.0/24"] } },
    /network\.privateSubnets: must list one subnet per availability zone: 3 expected, 2 given/,
  ],
  ["VPC CIDR not a network", { network: { vpcCidr: "10.0.0.0/33" } }, /network\.vpcCidr: has a prefix length above 32/],
  [
    "subnet with host bits",
    { network: { privateSubnets: ["10.0.1.5/24", "10.0.2.0/24", "10.0.3.0/24"] } },
    /network\.privateSubnets\.0: has host bits set: the network is 10\.0\.1\.0\/24/,
  ],
  [
    "subnet outside the VPC",
    { network: { publicSubnets: ["10.1.101.0/24", "10.0.102.0/24", "10.0.103.0/24"] } },
    /network\.publicSubnets\.0: 10\.1\.101\.0\/24 must lie inside the VPC CIDR 10\.0\.0\.0\/16/,
  ],
  [
    "overlapping subnets",
    { network: { publicSubnets: ["10.0.0.0/23", "10.0.102.0/24", "10.0.103.0/24"] } },
    /network\.publicSubnets\.0: 10\.0\.0\.0\/23 overlaps network\.privateSubnets\.0/,
  ],
  ["NAT mode", { network: { natGateways: "two" } }, /network\.natGateways: must be one of "single", "one-per-az"/],
  [
    "cluster name",
    { cluster: { name: "-bad name", publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.name: must be 1-40 letters/,
  ],
  [
    "old Kubernetes version",
    { cluster: { kubernetesVersion: "1.29", publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.kubernetesVersion: must be a Kubernetes version EKS offers: 1\.33, 1\.34, 1\.35, 1\.36/,
  ],
  [
    "Kubernetes version as a number",
    { cluster: { kubernetesVersion: 1.34, publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.kubernetesVersion: must be a Kubernetes minor version written as a string/,
  ],
  [
    "public endpoint CIDR",
    { cluster: { publicAccessCidrs: ["office"] } },
    /cluster\.publicAccessCidrs\.0: must be an IPv4 block in CIDR notation/,
  ],
  [
    "public endpoint without CIDRs",
    { cluster: { publicAccessCidrs: [] } },
    /cluster\.publicAccessCidrs: must list the CIDRs allowed/,
  ],
  [
    "CIDRs for a private-only endpoint",
    { cluster: { endpointPublicAccess: false, publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.publicAccessCidrs: must be empty when endpointPublicAccess is false/,
  ],
  [
    "admin principal ARN",
    { cluster: { adminPrincipalArns: ["admin"], publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.adminPrincipalArns\.0: must be an IAM role or user ARN/,
  ],
  [
    "nobody can administer the cluster",
    { cluster: { creatorAdmin: false, publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.adminPrincipalArns: must list at least one admin when creatorAdmin is false/,
  ],
  [
    "log retention",
    { cluster: { logRetentionDays: 10, publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.logRetentionDays: must be one of CloudWatch's retention values: 1, 3, 5, 7, 14/,
  ],
  [
    "required add-on missing",
    { cluster: { addons: ["coredns", "eks-pod-identity-agent"], publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.addons: must include vpc-cni and eks-pod-identity-agent/,
  ],
  [
    "add-on listed twice",
    { cluster: { addons: ["vpc-cni", "vpc-cni", "eks-pod-identity-agent"], publicAccessCidrs: ["10.0.0.0/8"] } },
    /cluster\.addons\.1: repeats item 0: list each add-on once/,
  ],
  [
    "min above desired",
    { nodeGroup: { minSize: 2, desiredSize: 1 } },
    /nodeGroup\.desiredSize: must satisfy minSize <= desiredSize <= maxSize \(got 2 <= 1 <= 4\)/,
  ],
  [
    "desired above max",
    { nodeGroup: { desiredSize: 5, maxSize: 4 } },
    /nodeGroup\.desiredSize: must satisfy minSize <= desiredSize <= maxSize/,
  ],
  [
    "no instance types",
    { nodeGroup: { instanceTypes: [] } },
    /nodeGroup\.instanceTypes: must list at least one instance type/,
  ],
  [
    "malformed instance type",
    { nodeGroup: { instanceTypes: ["large"] } },
    /nodeGroup\.instanceTypes\.0: must be an EC2 instance type/,
  ],
  [
    "capacity type",
    { nodeGroup: { capacityType: "spot" } },
    /nodeGroup\.capacityType: must be one of "SPOT", "ON_DEMAND"/,
  ],
  ["app name", { apps: { Web: {} } }, /apps\.Web: key "Web" must be 1-40 lowercase letters/],
  [
    "GitLab URL",
    { gitlab: { ...MINIMAL.gitlab, baseUrl: "gitlab.example.com" } },
    /gitlab\.baseUrl: must be an http\(s\) URL/,
  ],
  [
    "namespace name",
    { gitops: { namespaces: ["Apps"] } },
    /gitops\.namespaces\.0: must be a Kubernetes namespace name/,
  ],
  [
    "flux-system is not Terraform's",
    { gitops: { namespaces: ["apps", "flux-system"] } },
    /gitops\.namespaces\.1: must not be default, kube-system, kube-public, kube-node-lease, flux-system/,
  ],
  ["semver range", { apps: { web: { semverRange: "latest" } } }, /apps\.web\.semverRange: must be a semver range/],
  [
    "webhook without TLS or consent",
    { gitops: { webhook: { enabled: true } } },
    /gitops\.webhook: needs hostname and certificateArn for TLS, or allowInsecureHttp: true/,
  ],
  [
    "webhook hostname without certificate",
    { gitops: { webhook: { enabled: true, hostname: "hook.example.com" } } },
    /gitops\.webhook: hostname and certificateArn go together/,
  ],
  [
    "token rotation window",
    { gitops: { commitStatus: { tokenExpiryDays: 10, rotateBeforeDays: 14 } } },
    /gitops\.commitStatus\.rotateBeforeDays: must be less than tokenExpiryDays/,
  ],
  ["backend type", { backend: { type: "consul" } }, /backend\.type: must be one of local, s3, gitlab/],
  ["S3 backend without bucket", { backend: { type: "s3" } }, /backend\.bucket: is required/],
  ["invalid YAML", "gitlab: [unclosed", /config\/environments\/test\.yaml: line 1, column 18: invalid YAML: /],
  ["duplicate key", "region: us-west-2\nregion: us-east-1\n", /invalid YAML: Map keys must be unique/],
];

describe.each(RULES)("rejects %s", (_rule, patch, message) => {
  test("with a message naming the file and key", () => {
    const lines = problems(patch);
    expect(lines.join("\n")).toMatch(message);
    expect(lines.every((l) => l.startsWith(`${FILE}: `))).toBe(true);
  });
});

describe("main.ts", () => {
  const root = path.resolve(__dirname, "../..");
  function runApp(yaml: string) {
    const dir = mkdtempSync(path.join(tmpdir(), "main-test-"));
    mkdirSync(path.join(dir, "environments"));
    writeFileSync(path.join(dir, "environments", "dev.yaml"), yaml);
    const result = spawnSync(
      process.execPath,
      ["-r", path.join(root, "scripts", "register.js"), path.join(root, "main.ts")],
      {
        cwd: dir,
        env: { ...process.env, GITOPS_CONFIG_DIR: dir, GITOPS_ENV: "dev" },
        encoding: "utf8",
      },
    );
    return { ...result, dir };
  }

  test("an invalid file exits non-zero, names file and key, and writes nothing", () => {
    const run = runApp(stringify({ ...MINIMAL, nodeGroup: { maxSize: 0 } }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/environments\/dev\.yaml: nodeGroup\.maxSize: /);
    expect(existsSync(path.join(run.dir, "cdktf.out"))).toBe(false);
  });

  test("a valid file synthesizes both stacks", () => {
    const run = runApp(stringify(MINIMAL));
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(existsSync(path.join(run.dir, "cdktf.out", "stacks", "core", "cdk.tf.json"))).toBe(true);
  });
});
