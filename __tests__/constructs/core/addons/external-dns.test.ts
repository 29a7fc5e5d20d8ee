import { ExternalDns, externalDnsPolicy } from "../../../../constructs/core/addons/external-dns";
import { ADDON_ACCOUNTS } from "../../../../constructs/flux/api";
import { only, synthConstruct } from "../fixture";

const PROPS = {
  clusterName: "test",
  clusterArn: "arn:aws:eks:us-west-2:123456789012:cluster/test",
  partition: "aws",
  roleName: "test-external-dns",
  zoneIds: ["Z0123456789A", "Z0123456789B"],
};

describe("ExternalDns", () => {
  test("a Pod Identity role for external-dns/external-dns on this cluster and account", () => {
    const json = synthConstruct((s) => new ExternalDns(s, "external-dns", PROPS));
    expect(only(json, "aws_eks_pod_identity_association")).toMatchObject({
      cluster_name: "test",
      namespace: ADDON_ACCOUNTS.externalDns.namespace,
      service_account: ADDON_ACCOUNTS.externalDns.serviceAccount,
    });
    expect(JSON.parse(only(json, "aws_iam_role").assume_role_policy).Statement[0].Condition.StringEquals).toMatchObject(
      {
        "aws:SourceAccount": "123456789012",
        "aws:RequestTag/eks-cluster-name": "test",
        "aws:RequestTag/kubernetes-namespace": "external-dns",
        "aws:RequestTag/kubernetes-service-account": "external-dns",
      },
    );
    expect(only(json, "aws_iam_role_policy").policy).toBe(externalDnsPolicy(PROPS.zoneIds, "aws"));
  });

  test("changes and lists records of the configured zones only", () => {
    const [records] = JSON.parse(externalDnsPolicy(PROPS.zoneIds, "aws")).Statement;
    expect(records).toMatchObject({
      Effect: "Allow",
      Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"],
      Resource: ["arn:aws:route53:::hostedzone/Z0123456789A", "arn:aws:route53:::hostedzone/Z0123456789B"],
    });
  });

  test("lists hosted zones everywhere (no resource-level permission), nothing else on *", () => {
    const statements = JSON.parse(externalDnsPolicy(PROPS.zoneIds, "aws")).Statement;
    const wildcard = statements.filter((s: { Resource: unknown }) => s.Resource === "*");
    expect(wildcard).toEqual([
      { Sid: "FindTheZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" },
    ]);
  });

  test("invalid: no zone", () => {
    expect(() => synthConstruct((s) => new ExternalDns(s, "external-dns", { ...PROPS, zoneIds: [] }))).toThrow(
      /zoneIds needs at least one hosted zone/,
    );
  });
});
