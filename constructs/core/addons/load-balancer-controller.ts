import { Construct } from "constructs";
import { ADDON_ACCOUNTS } from "../../flux/api";
import { policyDocument, PolicyStatement } from "../policy-document";
import { PodIdentityRole } from "../pod-identity-role";
import published from "./load-balancer-controller-policy.json";

/**
 * Where load-balancer-controller-policy.json comes from: docs/install/iam_policy.json of
 * kubernetes-sigs/aws-load-balancer-controller at this tag, unchanged (its sha256 below). Refresh
 * both with ADDON_VERSIONS.awsLoadBalancerController:
 * `curl -fsSLo constructs/core/addons/load-balancer-controller-policy.json
 *  https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/<tag>/docs/install/iam_policy.json`
 */
export const LOAD_BALANCER_CONTROLLER_POLICY_SOURCE = {
  repository: "kubernetes-sigs/aws-load-balancer-controller",
  file: "docs/install/iam_policy.json",
  tag: "v3.5.0",
  sha256: "16f232c9d9f79366fe949c4550ad517a202380058a9e48d45a4e215044a20a6a",
} as const;

/** The tag the controller puts on every load balancer, target group and security group it creates. */
const CLUSTER_TAG = "elbv2.k8s.aws/cluster";

export interface LoadBalancerControllerProps {
  /** The cluster name as configured: the value of the controller's `elbv2.k8s.aws/cluster` tag. */
  readonly name: string;
  /** The EKS cluster resource's name. */
  readonly clusterName: string;
  /** The cluster's ARN, for the trust policy's account. */
  readonly clusterArn: string;
  /** AWS partition (a reference to aws_partition). */
  readonly partition: string;
  /** The IAM role's name. */
  readonly roleName: string;
}

/**
 * The AWS Load Balancer Controller's identity: a Pod Identity role for
 * kube-system/aws-load-balancer-controller with the controller's published policy.
 * https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/installation/
 */
export class LoadBalancerController extends Construct {
  public readonly identity: PodIdentityRole;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id);
    this.identity = new PodIdentityRole(this, "identity", {
      roleName: props.roleName,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      ...ADDON_ACCOUNTS.awsLoadBalancerController,
      inlinePolicy: loadBalancerControllerPolicy(props.name, props.partition),
    });
  }
}

/**
 * The published policy, narrowed to this cluster and partition: where it asks only that a
 * resource (or a request) carry the `elbv2.k8s.aws/cluster` tag (`Null: "false"`), this asks that
 * the tag name this cluster, so the controller of another cluster in the account, or anyone
 * tagging by hand, is not enough; and its `arn:aws:` ARNs take the cluster's partition. Statements
 * the published policy leaves unconditioned stay so (listeners, rules, WAF, Shield: their
 * resources carry no tag the controller could be held to at request time).
 */
export function loadBalancerControllerPolicy(clusterName: string, partition: string): string {
  const statements = (published.Statement as PolicyStatement[]).map((statement) => {
    const { Condition, Resource, ...rest } = statement;
    const resource = Array.isArray(Resource)
      ? Resource.map((r) => withPartition(r, partition))
      : Resource && withPartition(Resource, partition);
    return { ...rest, Resource: resource, ...(Condition && { Condition: ownedBy(Condition, clusterName) }) };
  });
  return policyDocument(statements);
}

const withPartition = (arn: string, partition: string) => arn.replace(/^arn:aws:/, `arn:${partition}:`);

type Condition = NonNullable<PolicyStatement["Condition"]>;

/** `Null: {aws:*Tag/elbv2.k8s.aws/cluster: "false"}` (the tag is present) becomes `StringEquals: {...: <cluster>}`. */
function ownedBy(condition: Condition, clusterName: string): Condition {
  const tagged = (key: string, value: string | string[]) =>
    value === "false" && (key === `aws:ResourceTag/${CLUSTER_TAG}` || key === `aws:RequestTag/${CLUSTER_TAG}`);
  const present = Object.entries(condition.Null ?? {}).filter(([k, v]) => tagged(k, v));
  if (present.length === 0) return condition;
  const { Null: nulls, StringEquals: equals, ...others } = condition;
  const remainingNulls = Object.fromEntries(Object.entries(nulls ?? {}).filter(([k, v]) => !tagged(k, v)));
  return {
    ...others,
    StringEquals: { ...equals, ...Object.fromEntries(present.map(([k]) => [k, clusterName])) },
    ...(Object.keys(remainingNulls).length > 0 && { Null: remainingNulls }),
  };
}
