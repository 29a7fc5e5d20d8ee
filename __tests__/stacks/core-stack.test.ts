import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { CORE_OUTPUTS, CoreStack, SOPS_KEY_OUTPUT } from "../../stacks/core-stack";
import { environment, ENVIRONMENTS, Json, resources, SNAPSHOT_ENVIRONMENTS, synth } from "../helpers";

const coreJson = (patch: Json = {}, name = "dev") =>
  synth((app) => new CoreStack(app, "core", environment(name, patch)));

describe.each(SNAPSHOT_ENVIRONMENTS)("core stack, environment %s", (name) => {
  test("snapshot (a change detector: update it only with a reason)", () => {
    expect(JSON.parse(coreJson({}, name))).toMatchSnapshot();
  });
});

describe("core stack invariants", () => {
  const text = coreJson();
  const json: Json = JSON.parse(text);
  const env = environment("dev");
  const [cluster] = resources(json, "aws_eks_cluster");
  const addons = Object.fromEntries(resources(json, "aws_eks_addon").map((a) => [a.addon_name, a]));
  const addressOf = (type: string, match: (r: Json) => boolean) =>
    `${type}.${Object.entries(json.resource[type]).find(([, r]) => match(r as Json))![0]}`;

  test("speaks to AWS only, with default tags on everything", () => {
    expect(Object.keys(json.provider)).toEqual(["aws"]);
    expect(json.provider.aws[0].default_tags[0].tags).toMatchObject({ "gitops-environment": "dev" });
  });

  test("calls no AWS API at plan time: the only data source is the local aws_partition", () => {
    expect(Object.keys(json.data ?? {})).toEqual(["aws_partition"]);
  });

  test("VPC with DNS, a public and a private subnet per zone with ELB role tags", () => {
    expect(text).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.0.0.0/16",
      enable_dns_hostnames: true,
      enable_dns_support: true,
    });
    const subnets = resources(json, "aws_subnet");
    const pub = subnets.filter((s) => s.tags["kubernetes.io/role/elb"] === "1");
    const priv = subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");
    expect(pub.map((s) => s.availability_zone)).toEqual(env.network.availabilityZones);
    expect(priv.map((s) => s.availability_zone)).toEqual(env.network.availabilityZones);
    expect(pub.every((s) => s.map_public_ip_on_launch === true)).toBe(true);
  });

  test("one NAT gateway by default, one per zone when configured", () => {
    expect(resources(json, "aws_nat_gateway")).toHaveLength(1);
    const perAz: Json = JSON.parse(coreJson({ network: { natGateways: "one-per-az" } }));
    expect(resources(perAz, "aws_nat_gateway")).toHaveLength(3);
    const natRoutes = resources(perAz, "aws_route_table")
      .flatMap((t) => t.route.map((r: Json) => r.nat_gateway_id))
      .filter(Boolean);
    expect(new Set(natRoutes).size).toBe(3);
    expect(resources(perAz, "aws_eip").every((e) => e.domain === "vpc")).toBe(true);
  });

  test("the default security group is stripped of rules", () => {
    expect(text).toHaveResourceWithProperties(DefaultSecurityGroup, { ingress: [], egress: [] });
  });

  test("secrets are envelope-encrypted with a rotating KMS key", () => {
    expect(text).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(cluster.encryption_config.resources).toEqual(["secrets"]);
    expect(cluster.encryption_config.provider.key_arn).toMatch(/aws_kms_key\..*\.arn/);
  });

  test("the log group exists before the cluster, with retention and the KMS key", () => {
    expect(text).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/aws/eks/flux-dev/cluster",
      retention_in_days: 7,
    });
    expect(cluster.depends_on).toContain(addressOf("aws_cloudwatch_log_group", () => true));
    expect(cluster.depends_on).toContain(
      addressOf("aws_iam_role_policy_attachment", (r) => r.policy_arn.endsWith("/AmazonEKSClusterPolicy")),
    );
  });

  test("control plane: audit logs, private endpoint, explicit CIDRs, API auth, explicit bootstrap flags", () => {
    expect(cluster.enabled_cluster_log_types).toEqual(expect.arrayContaining(["api", "audit", "authenticator"]));
    expect(cluster.version).toBe(env.cluster.kubernetesVersion);
    expect(cluster.vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ["203.0.113.0/24"],
    });
    expect(cluster.access_config).toEqual({
      authentication_mode: "API",
      bootstrap_cluster_creator_admin_permissions: true,
    });
    expect(cluster.bootstrap_self_managed_addons).toBe(false);
    expect(cluster.upgrade_policy).toEqual({ support_type: "STANDARD" });
  });

  test("cluster role trusts EKS", () => {
    const role = resources(json, "aws_iam_role").find((r) => r.name === "flux-dev-eks-cluster")!;
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: "eks.amazonaws.com" });
  });

  test("each admin principal gets an access entry with the cluster-admin policy", () => {
    const arns = ["arn:aws:iam::123456789012:role/platform-admin", "arn:aws:iam::123456789012:user/alice"];
    const withAdmins = coreJson({ cluster: { adminPrincipalArns: arns } });
    const parsed: Json = JSON.parse(withAdmins);
    // The pipeline's deploy role (ci stack) is always an admin too: it applies bootstrap.
    const deployRole = "arn:aws:iam::123456789012:role/flux-dev-gitlab-deploy";
    const admins = resources(parsed, "aws_eks_access_entry").filter((e) => e.type === "STANDARD");
    expect(admins.map((e) => e.principal_arn)).toEqual([deployRole, ...arns]);
    for (const principal_arn of [deployRole, ...arns]) {
      expect(withAdmins).toHaveResourceWithProperties(EksAccessPolicyAssociation, {
        principal_arn,
        access_scope: { type: "cluster" },
      });
    }
    expect(resources(parsed, "aws_eks_access_policy_association")[0].policy_arn).toMatch(
      /:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/,
    );
  });

  test("node group: private subnets, AL2023, SPOT, sizes, IMDSv2 launch template", () => {
    expect(text).toHaveResourceWithProperties(EksNodeGroup, {
      ami_type: "AL2023_x86_64_STANDARD",
      capacity_type: "SPOT",
      instance_types: ["t3.large"],
      scaling_config: { min_size: 1, desired_size: 1, max_size: 4 },
    });
    const [group] = resources(json, "aws_eks_node_group");
    expect(group.subnet_ids).toHaveLength(3);
    for (const id of group.subnet_ids) expect(id).toMatch(/aws_subnet\.network_private-/);
    expect(group.update_config).toBeDefined();
    expect(text).toHaveResourceWithProperties(LaunchTemplate, {
      metadata_options: expect.objectContaining({ http_tokens: "required" }),
    });
    const nodeRole = resources(json, "aws_iam_role_policy_attachment")
      .filter((a) => String(a.role).includes("nodes_role"))
      .map((a) => a.policy_arn.split("/").pop());
    expect(nodeRole.sort()).toEqual(["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy"]);
  });

  test("add-on order: vpc-cni and pod identity agent before nodes, the rest after", () => {
    const [group] = resources(json, "aws_eks_node_group");
    for (const name of ["vpc-cni", "eks-pod-identity-agent"]) {
      expect(group.depends_on).toContain(addressOf("aws_eks_addon", (a) => a.addon_name === name));
      expect(addons[name].depends_on ?? []).toEqual([]);
    }
    const nodeGroup = addressOf("aws_eks_node_group", () => true);
    for (const name of ["coredns", "kube-proxy", "aws-ebs-csi-driver"])
      expect(addons[name].depends_on).toContain(nodeGroup);
  });

  test("the EBS CSI driver gets its own Pod Identity role", () => {
    const [association] = addons["aws-ebs-csi-driver"].pod_identity_association;
    expect(association.service_account).toBe("ebs-csi-controller-sa");
    const role = resources(json, "aws_iam_role").find((r) => r.name === "flux-dev-ebs-csi")!;
    expect(role.assume_role_policy).toMatch(/"Service" = "pods\.eks\.amazonaws\.com"/);
    expect(role.assume_role_policy).toMatch(/"aws:RequestTag\/kubernetes-service-account" = "ebs-csi-controller-sa"/);
  });

  test("ECR: immutable tags, scan on push, a lifecycle policy", () => {
    expect(text).toHaveResourceWithProperties(EcrRepository, {
      name: "dev/nginx",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
    });
    const [policy] = resources(json, "aws_ecr_lifecycle_policy");
    const rules = JSON.parse(policy.policy).rules.map((r: Json) => r.selection);
    // Untagged images and pre-releases (x.y.z-pre) expire; release tags (what prod runs) never do,
    // nor the gate's candidate tag scan-x.y.z a released image carries too.
    expect(rules.map((r: Json) => r.tagStatus)).toEqual(["untagged", "tagged"]);
    expect(rules[1].tagPatternList).toEqual(["*.*.*-*"]);
  });

  test("Flux's image-reflector-controller reads ECR through Pod Identity", () => {
    expect(text).toHaveResourceWithProperties(EksPodIdentityAssociation, {
      namespace: "flux-system",
      service_account: "image-reflector-controller",
    });
    const role = resources(json, "aws_iam_role").find((r) => r.name === "flux-dev-flux-image-reflector")!;
    expect(role.assume_role_policy).toMatch(/"Service" = "pods\.eks\.amazonaws\.com"/);
    // This environment's repositories (`dev/*`), not every repository of the account.
    const policy = resources(json, "aws_iam_role_policy").find((p) => String(p.role).includes("image-reflector"))!;
    expect(policy.policy).toContain(':repository/dev/*"');
    expect(resources(json, "aws_iam_role_policy_attachment").map((a) => a.policy_arn)).not.toContainEqual(
      expect.stringMatching(/AmazonEC2ContainerRegistryReadOnly$/),
    );
  });

  test("update-kubeconfig is a terraform_data local-exec that can be turned off", () => {
    const [step] = resources(json, "terraform_data");
    expect(step.provisioner[0]["local-exec"].command).toBe(
      "aws eks update-kubeconfig --name flux-dev --region us-west-2",
    );
    expect(resources(JSON.parse(coreJson({ cluster: { updateKubeconfig: false } })), "terraform_data")).toHaveLength(0);
  });

  test("the registry host comes from the cluster's account, with no AWS API call at plan", () => {
    expect(json.output.ecr_registry.value).toBe(
      '${element(split(":", aws_eks_cluster.eks_cluster_55B0C966.arn), 4)}' +
        ".dkr.ecr.us-west-2.${data.aws_partition.partition.dns_suffix}",
    );
    expect(json.data.aws_caller_identity).toBeUndefined();
  });

  test("named snake_case outputs for bootstrap and humans", () => {
    // ecr_push_role_arns is for the apps' release pipelines, not for bootstrap; dev runs
    // Karpenter, so it has no cluster autoscaler role to show; sops_key_arn is read by bootstrap
    // only when the account is unknown at synth.
    const expected = Object.values(CORE_OUTPUTS).filter((o) => o !== CORE_OUTPUTS.clusterAutoscalerRoleArn);
    expect(Object.keys(json.output).sort()).toEqual([...expected, "ecr_push_role_arns", SOPS_KEY_OUTPUT].sort());
    for (const key of Object.keys(json.output)) expect(key).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(json.output.cluster_certificate_authority_data.value).toMatch(/certificate_authority\[0\]\.data/);
  });
});

describe("environments side by side in one AWS account and region", () => {
  // Resource types whose name (or name prefix) must be unique in an account and region.
  const NAMED = [
    "aws_ecr_repository",
    "aws_iam_role",
    "aws_iam_policy",
    "aws_kms_alias",
    "aws_cloudwatch_log_group",
    "aws_eks_cluster",
    "aws_launch_template",
    "aws_security_group",
    // Karpenter's interruption queue and its EventBridge rules
    "aws_sqs_queue",
    "aws_cloudwatch_event_rule",
  ];
  // Names built from the cluster's own name attribute resolve to it.
  const named = (json: Json) => {
    const [cluster] = resources(json, "aws_eks_cluster");
    const resolve = (v: string) => v.replace(/\$\{aws_eks_cluster\.[^.]+\.name\}/g, cluster.name);
    return NAMED.flatMap((type) => resources(json, type).map((r) => `${type}: ${resolve(r.name ?? r.name_prefix)}`));
  };
  const namesOf = (name: string) => named(JSON.parse(coreJson({}, name)));

  test("no AWS name is used by two environments", () => {
    const all = ENVIRONMENTS.flatMap((name) => namesOf(name).map((n) => ({ name, n })));
    expect(all.length).toBeGreaterThan(ENVIRONMENTS.length * 5);
    const seen = new Map<string, string>();
    const clashes = all.filter(({ name, n }) =>
      seen.has(n) && seen.get(n) !== name ? true : (seen.set(n, name), false),
    );
    expect(clashes).toEqual([]);
  });

  test("the check catches a clash: two environments with one cluster name", () => {
    const dev = namesOf("dev");
    const clash = named(JSON.parse(coreJson({ cluster: { name: "flux-dev" } }, "prod"))).filter((n) => dev.includes(n));
    expect(clash).toEqual(
      expect.arrayContaining([
        "aws_eks_cluster: flux-dev",
        "aws_kms_alias: alias/eks/flux-dev",
        "aws_iam_role: flux-dev-eks-node",
      ]),
    );
  });
});

describe("core stack: the SOPS key (secrets.sops)", () => {
  const sopsPolicy = (json: Json) =>
    resources(json, "aws_kms_key_policy").find((p) => String(p.policy).includes("KustomizeControllerDecrypts"));

  test("on by default: alias <cluster>-sops; configured encryptors and the pipeline's deploy role may encrypt", () => {
    const json: Json = JSON.parse(
      coreJson({ secrets: { sops: { encryptors: ["arn:aws:iam::123456789012:role/app-team"] } } }),
    );
    expect(resources(json, "aws_kms_alias").map((a) => a.name)).toContain("alias/flux-dev-sops");
    const policy = String(sopsPolicy(json)!.policy);
    const encrypt = policy.split(/(?="Sid" = )/).find((s) => s.startsWith('"Sid" = "EncryptorsEncrypt"'))!;
    expect(encrypt).toContain('"arn:aws:iam::123456789012:role/app-team"');
    expect(encrypt).toContain('"arn:aws:iam::123456789012:role/flux-dev-gitlab-deploy"');
    const association = resources(json, "aws_eks_pod_identity_association").find(
      (a) => a.service_account === "kustomize-controller",
    );
    expect(association).toMatchObject({ namespace: "flux-system" });
    expect(json.output[SOPS_KEY_OUTPUT].value).toMatch(/^\$\{aws_kms_key\.sops-key_\w+\.arn\}$/);
  });

  test("the deploy role listed as an encryptor too is named once", () => {
    const deploy = "arn:aws:iam::123456789012:role/flux-dev-gitlab-deploy";
    const json: Json = JSON.parse(coreJson({ secrets: { sops: { encryptors: [deploy] } } }));
    expect(String(sopsPolicy(json)!.policy).split(deploy)).toHaveLength(2);
  });

  test("off: no key, role, association or output", () => {
    const json: Json = JSON.parse(coreJson({ secrets: { sops: { enabled: false } } }));
    expect(sopsPolicy(json)).toBeUndefined();
    expect(resources(json, "aws_kms_alias").map((a) => a.name)).not.toContain("alias/flux-dev-sops");
    expect(resources(json, "aws_eks_pod_identity_association").map((a) => a.service_account)).not.toContain(
      "kustomize-controller",
    );
    expect(json.output[SOPS_KEY_OUTPUT]).toBeUndefined();
  });
});
