import { TerraformVariable } from "cdktf";
import { ExternalSecrets } from "../../../../constructs/core/addons/external-secrets";
import { ADDON_ACCOUNTS } from "../../../../constructs/flux/api";
import { only, synthConstruct } from "../fixture";

const PROPS = {
  clusterName: "test",
  clusterArn: "arn:aws:eks:eu-central-1:123456789012:cluster/test",
  partition: "aws",
  region: "eu-central-1",
  roleName: "test-external-secrets",
  secretsPrefix: "team-a/dev/",
};
const synth = (props = PROPS) => synthConstruct((s) => new ExternalSecrets(s, "external-secrets", props));

describe("ExternalSecrets", () => {
  test("a Pod Identity role for external-secrets/external-secrets on this cluster and account", () => {
    const json = synth();
    expect(only(json, "aws_eks_pod_identity_association")).toMatchObject({
      cluster_name: "test",
      namespace: ADDON_ACCOUNTS.externalSecrets.namespace,
      service_account: ADDON_ACCOUNTS.externalSecrets.serviceAccount,
    });
    expect(JSON.parse(only(json, "aws_iam_role").assume_role_policy).Statement[0].Condition.StringEquals).toMatchObject(
      {
        "aws:SourceAccount": "123456789012",
        "aws:RequestTag/kubernetes-namespace": "external-secrets",
        "aws:RequestTag/kubernetes-service-account": "external-secrets",
      },
    );
  });

  test("reads secrets under the prefix, in the cluster's account and region, and writes nothing", () => {
    expect(JSON.parse(only(synth(), "aws_iam_role_policy").policy).Statement).toEqual([
      {
        Sid: "ReadSecretsUnderThePrefix",
        Effect: "Allow",
        Action: [
          "secretsmanager:GetSecretValue",
          "secretsmanager:DescribeSecret",
          "secretsmanager:ListSecretVersionIds",
          "secretsmanager:GetResourcePolicy",
        ],
        Resource: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:team-a/dev/*",
      },
    ]);
  });

  test("the account comes from the cluster's ARN, with no AWS lookup", () => {
    const json = synthConstruct(
      (s) =>
        new ExternalSecrets(s, "external-secrets", {
          ...PROPS,
          clusterArn: new TerraformVariable(s, "cluster_arn", { type: "string" }).stringValue,
        }),
    );
    expect(only(json, "aws_iam_role_policy").policy).toContain('element(split(":", var.cluster_arn), 4)');
    expect(Object.keys(json.data ?? {})).toEqual([]);
  });

  test.each(["dev", "/dev/", "dev/*", "${x}/"])("invalid: secretsPrefix %p", (secretsPrefix) => {
    expect(() => synth({ ...PROPS, secretsPrefix })).toThrow(
      /secretsPrefix must be a secret name prefix ending in '\/'/,
    );
  });
});
