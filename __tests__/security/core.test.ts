import { addonInstalled } from "../../config/schema-addons";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { CoreStack } from "../../stacks/core-stack";
import { environment, ENVIRONMENTS, Json, resources, synth } from "../helpers";
import { isWrite, PUBLISHED_UNCONDITIONED, statementsOf } from "./policies";

// Security rules on what the core (and, for its load balancer, bootstrap) stack creates, one per
// rule, named after the guidance: EKS BP = EKS Best Practices Guide, CIS = CIS Amazon EKS Benchmark.
describe.each(ENVIRONMENTS)("environment %s", (name) => {
  const env = environment(name);
  const json: Json = JSON.parse(synth((app) => new CoreStack(app, "core", env)));
  const [cluster] = resources(json, "aws_eks_cluster");
  const roles = resources(json, "aws_iam_role");
  const keyPolicies = resources(json, "aws_kms_key_policy").map((p) => String(p.policy));

  test("CIS 5.4.1-5.4.2 / EKS BP: API endpoint private, or public only to listed ranges (never 0.0.0.0/0)", () => {
    expect(cluster.vpc_config.endpoint_private_access).toBe(true);
    if (cluster.vpc_config.endpoint_public_access) {
      expect(cluster.vpc_config.public_access_cidrs.length).toBeGreaterThan(0);
      expect(cluster.vpc_config.public_access_cidrs).not.toContain("0.0.0.0/0");
    } else {
      expect(cluster.vpc_config.public_access_cidrs).toBeUndefined();
    }
  });

  test("EKS BP (restrict access to the instance profile): IMDSv2, one hop: pods cannot reach node credentials", () => {
    const [template] = resources(json, "aws_launch_template");
    expect(template.metadata_options).toMatchObject({ http_tokens: "required", http_put_response_hop_limit: 1 });
  });

  test("EKS BP identity: the node roles hold no VPC CNI permissions; aws-node has its own Pod Identity role", () => {
    const nodePolicies = resources(json, "aws_iam_role_policy_attachment").filter((a) =>
      /nodes_role|karpenter_node-role/.test(String(a.role)),
    );
    expect(nodePolicies.length).toBeGreaterThanOrEqual(2);
    expect(nodePolicies.map((a) => a.policy_arn)).not.toContainEqual(expect.stringMatching(/AmazonEKS_CNI_Policy$/));
    const [cni] = resources(json, "aws_eks_addon").filter((a) => a.addon_name === "vpc-cni");
    expect(cni.pod_identity_association).toEqual([
      { service_account: "aws-node", role_arn: expect.stringMatching(/vpc-cni-identity/) },
    ]);
  });

  test("EKS BP network security: the VPC CNI enforces NetworkPolicies", () => {
    const [cni] = resources(json, "aws_eks_addon").filter((a) => a.addon_name === "vpc-cni");
    expect(JSON.parse(cni.configuration_values)).toMatchObject({ enableNetworkPolicy: "true" });
  });

  test("EKS BP identity: every Pod Identity role trusts one account, cluster, namespace and service account", () => {
    const podRoles = roles.filter((r) => String(r.assume_role_policy).includes("pods.eks.amazonaws.com"));
    expect(podRoles.length).toBeGreaterThanOrEqual(4);
    for (const role of podRoles) {
      for (const key of [
        "aws:SourceAccount",
        "aws:RequestTag/eks-cluster-name",
        "aws:RequestTag/kubernetes-namespace",
        "aws:RequestTag/kubernetes-service-account",
      ]) {
        expect({ role: role.name, trust: role.assume_role_policy }).toEqual({
          role: role.name,
          trust: expect.stringContaining(`"${key}" =`),
        });
      }
    }
  });

  test("Least privilege: no write on * without a scoping condition, but the LB controller's published policy", () => {
    const statements = resources(json, "aws_iam_role_policy").flatMap((p) => statementsOf(String(p.policy)));
    expect(statements.length).toBeGreaterThan(0);
    const open = statements.filter(
      (s) =>
        s.Effect === "Allow" &&
        [s.Resource].flat().includes("*") &&
        !s.Condition &&
        [s.Action].flat().some(isWrite) &&
        !PUBLISHED_UNCONDITIONED.has(JSON.stringify([s.Action].flat())),
    );
    expect(open).toEqual([]);
  });

  test("Least privilege: a role may pass only named roles (Karpenter: its node role), never any role", () => {
    const passing = resources(json, "aws_iam_role_policy")
      .flatMap((p) => statementsOf(String(p.policy)))
      .filter((s) => [s.Action].flat().some((a: string) => /^iam:(PassRole|\*)$|^\*$/.test(a)));
    for (const s of passing) {
      expect([s.Resource].flat()).not.toContain("*");
      expect(s.Condition?.StringEquals?.["iam:PassedToService"]).toBeDefined();
    }
  });

  test("Karpenter's interruption queue: encrypted, TLS only, sent to by this account's EventBridge", () => {
    for (const queue of resources(json, "aws_sqs_queue")) expect(queue.sqs_managed_sse_enabled).toBe(true);
    for (const policy of resources(json, "aws_sqs_queue_policy")) {
      const statements = statementsOf(policy.policy);
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
      const events = statements.find((s) => s.Principal?.Service === "events.amazonaws.com")!;
      expect(events.Condition.StringEquals["aws:SourceAccount"]).toMatch(/aws_eks_cluster\./);
    }
  });

  test("Least privilege: Flux reads this environment's ECR repository only, nothing account-wide", () => {
    const reflector = resources(json, "aws_iam_role_policy").find((p) => String(p.role).includes("image-reflector"))!;
    // One prefix, `<environment>/*` in this account and region: fixed in size however many apps there are.
    expect(reflector.policy).toContain(`:ecr:${env.region}:\${element(split(":", aws_eks_cluster.`);
    expect(reflector.policy).toContain(`:repository/${name}/*"`);
    expect(reflector.policy.match(/"Resource" = "\*"/g)).toHaveLength(1); // the login token only
    expect(resources(json, "aws_iam_role_policy_attachment").map((a) => a.policy_arn)).not.toContainEqual(
      expect.stringMatching(/AmazonEC2ContainerRegistryReadOnly$/),
    );
  });

  test("Least privilege / isolation: node roles pull, from this account, only this environment's repositories", () => {
    const pullers = resources(json, "aws_iam_role_policy_attachment")
      .filter((a) => /AmazonEC2ContainerRegistryPullOnly$/.test(a.policy_arn))
      .map((a) => String(a.role));
    expect(pullers.length).toBe(addonInstalled(env.addons, "karpenter") ? 2 : 1);
    for (const role of pullers) {
      const scoped = resources(json, "aws_iam_role_policy").filter(
        (p) => p.role === role && p.name === "ecr-pull-scope",
      );
      expect({ role, scoped: scoped.length }).toEqual({ role, scoped: 1 });
      expect(scoped[0].policy).toContain('"Effect" = "Deny"');
      expect(scoped[0].policy).toContain(`:repository/${name}/*"`);
      expect(scoped[0].policy).toContain('"aws:ResourceAccount" = element(split(":", aws_eks_cluster.');
    }
  });

  test("KMS: keys separate administration from use, one purpose each (Secrets, logs, SOPS), rotation on", () => {
    expect(keyPolicies).toHaveLength(env.secrets.sops.enabled ? 3 : 2);
    for (const policy of keyPolicies) {
      expect(policy).not.toMatch(/"kms:\*"/);
      expect(policy).toContain("AccountAdministersNotUses");
    }
    expect(keyPolicies.filter((p) => p.includes("ClusterRoleEncryptsSecrets"))).toHaveLength(1);
    expect(keyPolicies.filter((p) => p.includes("logs."))).toHaveLength(1);
    // SOPS: only kustomize-controller's role decrypts; encryptors only encrypt.
    const sops = keyPolicies.filter((p) => p.includes("KustomizeControllerDecrypts"));
    expect(sops).toHaveLength(env.secrets.sops.enabled ? 1 : 0);
    for (const policy of sops) expect(policy.match(/kms:Decrypt/g)).toHaveLength(1);
    for (const key of resources(json, "aws_kms_key")) expect(key.enable_key_rotation).toBe(true);
  });

  test("CIS 2.1.1 / EKS BP detective controls: all control-plane log types, VPC flow logs; encrypted, retained", () => {
    expect(cluster.enabled_cluster_log_types).toEqual(expect.arrayContaining(["api", "audit", "authenticator"]));
    const [flowLog] = resources(json, "aws_flow_log");
    expect(flowLog.traffic_type).toBe("ALL");
    const groups = resources(json, "aws_cloudwatch_log_group");
    for (const group of groups) expect(group.kms_key_id).toMatch(/aws_kms_key\.logs-key/);
    expect(groups.find((g) => String(g.name).startsWith("/aws/vpc/"))!.retention_in_days).toBe(
      env.network.flowLogRetentionDays,
    );
  });

  test("Supply chain: images immutable and scanned; release tags (and their gate candidate tags) never expire", () => {
    const [repository] = resources(json, "aws_ecr_repository");
    expect(repository).toMatchObject({
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
    });
    const rules = JSON.parse(resources(json, "aws_ecr_lifecycle_policy")[0].policy).rules;
    // A released image carries x.y.z and the release gate's candidate tag scan-x.y.z: no pattern may match either.
    const literal = (text: string) => text.replace(/[.+?^$()|[\]\\{}]/g, "\\$&");
    const matches = (pattern: string, tag: string) =>
      new RegExp("^" + pattern.split("*").map(literal).join(".*") + "$").test(tag);
    for (const rule of rules)
      expect(
        rule.selection.tagStatus === "untagged" ||
          rule.selection.tagPatternList?.every((p: string) => !matches(p, "1.2.3") && !matches(p, "scan-1.2.3")),
      ).toBe(true);
  });
});

describe("EKS BP network security: the webhook load balancer", () => {
  const service = (webhook: Json) =>
    resources(
      JSON.parse(synth((app) => new BootstrapStack(app, "bootstrap", environment("dev", { gitops: { webhook } })))),
      "kubernetes_service_v1",
    )[0];
  const TLS = {
    enabled: true,
    sourceRanges: ["gitlab.com"],
    hostname: "hook.example.com",
    certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000000",
  };

  test("with TLS: TLS 1.2/1.3 only, and only the configured sources", () => {
    const svc = service(TLS);
    expect(svc.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"]).toBe(
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
    );
    expect(svc.spec.load_balancer_source_ranges).toEqual(["34.74.90.64/28", "34.74.226.0/24"]);
  });

  test("relaxed to HTTP by allowInsecureHttp: still only the configured sources, never the whole internet", () => {
    const svc = service({ enabled: true, allowInsecureHttp: true, sourceRanges: ["198.51.100.0/24"] });
    expect(svc.spec.load_balancer_source_ranges).toEqual(["198.51.100.0/24"]);
    expect(() => service({ enabled: true, allowInsecureHttp: true, sourceRanges: ["0.0.0.0/0"] })).toThrow(
      /must not be \/0/,
    );
  });
});

test("EKS BP access: prod's admins are named (platform role, pipeline's deploy role), not whoever created it", () => {
  const json: Json = JSON.parse(synth((app) => new CoreStack(app, "core", environment("prod"))));
  const [cluster] = resources(json, "aws_eks_cluster");
  expect(cluster.access_config).toMatchObject({
    authentication_mode: "API",
    bootstrap_cluster_creator_admin_permissions: false,
  });
  const admins = resources(json, "aws_eks_access_entry").map((e) => e.principal_arn);
  expect(admins).toEqual(
    expect.arrayContaining([
      "arn:aws:iam::123456789012:role/platform-admin",
      expect.stringMatching(/:role\/flux-prod-gitlab-deploy$/),
    ]),
  );
});
