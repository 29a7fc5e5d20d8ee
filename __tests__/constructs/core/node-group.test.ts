import { AMI_TYPE, NODE_POLICIES, NodeGroup, NodeGroupProps } from "../../../constructs/core/node-group";
import { only, resources, synthConstruct } from "./fixture";

const PROPS: NodeGroupProps = {
  clusterName: "test-cluster",
  partition: "aws",
  subnetIds: ["subnet-a"],
  instanceTypes: ["t3.medium"],
  capacityType: "ON_DEMAND",
  minSize: 1,
  desiredSize: 2,
  maxSize: 3,
  diskSizeGiB: 30,
  clusterArn: "arn:aws:eks:us-west-2:123456789012:cluster/test-cluster",
  ecrRepositoriesArn: "arn:aws:ecr:us-west-2:123456789012:repository/test/*",
};

describe("NodeGroup", () => {
  test("minimal: AL2023 nodes with the sizes given, desired size left to the autoscaler", () => {
    const group = only(
      synthConstruct((s) => new NodeGroup(s, "nodes", PROPS)),
      "aws_eks_node_group",
    );
    expect(group).toMatchObject({
      ami_type: AMI_TYPE,
      capacity_type: "ON_DEMAND",
      instance_types: ["t3.medium"],
      scaling_config: { min_size: 1, desired_size: 2, max_size: 3 },
      lifecycle: { ignore_changes: ["scaling_config[0].desired_size"] },
    });
  });

  test("defaults: IMDSv2 only, 1 hop (out of pods' reach), encrypted gp3 root, worker policies, not the CNI's", () => {
    const json = synthConstruct((s) => new NodeGroup(s, "nodes", PROPS));
    const template = only(json, "aws_launch_template");
    expect(template.metadata_options).toMatchObject({ http_tokens: "required", http_put_response_hop_limit: 1 });
    expect(template.block_device_mappings[0].ebs).toMatchObject({
      volume_size: 30,
      volume_type: "gp3",
      encrypted: "true",
    });
    expect(
      resources(json, "aws_iam_role_policy_attachment")
        .map((a) => a.policy_arn.split("/").pop())
        .sort(),
    ).toEqual([...NODE_POLICIES].sort());
    expect(NODE_POLICIES).not.toContain("AmazonEKS_CNI_Policy");
  });

  test.each<[string, Partial<NodeGroupProps>, RegExp]>([
    ["desired above max", { desiredSize: 4 }, /min <= desired <= max \(got 1\/4\/3\)/],
    ["min above desired", { minSize: 3 }, /min <= desired <= max/],
    ["no instance type", { instanceTypes: [] }, /instanceTypes needs at least one/],
  ])("invalid: %s", (_name, patch, message) => {
    expect(() => synthConstruct((s) => new NodeGroup(s, "nodes", { ...PROPS, ...patch }))).toThrow(message);
  });

  test("pulls from its own account only from the environment's repositories; AWS's registries stay open", () => {
    const json = synthConstruct((s) => new NodeGroup(s, "nodes", PROPS));
    const inline = only(json, "aws_iam_role_policy");
    expect(inline.name).toBe("ecr-pull-scope");
    expect(JSON.parse(inline.policy).Statement).toEqual([
      {
        Sid: "PullOnlyThisEnvironmentsRepositoriesOfThisAccount",
        Effect: "Deny",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        NotResource: PROPS.ecrRepositoriesArn,
        Condition: { StringEquals: { "aws:ResourceAccount": "123456789012" } },
      },
    ]);
    // The node group waits for it, as for the managed policies: no node starts unscoped.
    const group = only(json, "aws_eks_node_group");
    expect(group.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role_policy\./)]));
  });
});
