import { SopsKey, SopsKeyProps } from "../../../constructs/core/sops-key";
import { only, resources, synthConstruct } from "./fixture";

const PROPS: SopsKeyProps = {
  name: "test",
  alias: "alias/test-sops",
  partition: "aws",
  encryptorArns: ["arn:aws:iam::123456789012:role/app-team", "arn:aws:iam::123456789012:role/test-gitlab-deploy"],
  clusterName: "test",
  clusterArn: "arn:aws:eks:eu-west-1:123456789012:cluster/test",
  decryptorRoleName: "test-flux-sops-decrypt",
};
const synth = (props: Partial<SopsKeyProps> = {}) =>
  synthConstruct((s) => new SopsKey(s, "sops", { ...PROPS, ...props }));
/**
 * One statement of the key policy, by Sid: the text up to the next statement's Sid (the document is a jsonencode
 * expression).
 */
const statement = (policy: string, sid: string) =>
  policy.split(/(?="Sid" = )/).find((s) => s.startsWith(`"Sid" = "${sid}"`)) ?? "";

describe("SopsKey", () => {
  const json = synth();
  const policy = only(json, "aws_kms_key_policy").policy as string;
  const role = only(json, "aws_iam_role");

  test("minimal: a rotating key, with the alias .sops.yaml names", () => {
    expect(only(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(only(json, "aws_kms_alias").name).toBe("alias/test-sops");
  });

  test("key policy by statement: the account administers, encryptors encrypt, kustomize-controller decrypts", () => {
    expect(policy).toMatch(/^\$\{jsonencode\(/);
    expect([...policy.matchAll(/"Sid" = "(\w+)"/g)].map((m) => m[1])).toEqual([
      "AccountAdministersNotUses",
      "GrantsForAwsResourcesOnly",
      "EncryptorsEncrypt",
      "KustomizeControllerDecrypts",
    ]);
    const admin = statement(policy, "AccountAdministersNotUses");
    expect(admin).not.toMatch(/kms:(Encrypt|Decrypt|GenerateDataKey|ReEncrypt)/);
    const encrypt = statement(policy, "EncryptorsEncrypt");
    for (const arn of PROPS.encryptorArns!) expect(encrypt).toContain(`"${arn}"`);
    expect(encrypt).toContain('"kms:Encrypt"');
    expect(encrypt).not.toMatch(/kms:Decrypt|kms:ReEncrypt|kms:\*/);
    const decrypt = statement(policy, "KustomizeControllerDecrypts");
    expect(decrypt).toMatch(/"AWS" = aws_iam_role\.[\w-]+\.arn/);
    expect(decrypt).toContain('"kms:Decrypt"');
    expect(decrypt).not.toMatch(/kms:Encrypt|kms:\*/);
    // Nobody else may decrypt: the one Decrypt in the document is the controller's.
    expect(policy.match(/kms:Decrypt/g)).toHaveLength(1);
  });

  test("decrypt role: Pod Identity for flux-system/kustomize-controller, kms:Decrypt on this key only", () => {
    expect(role.name).toBe("test-flux-sops-decrypt");
    const trust = JSON.parse(role.assume_role_policy);
    expect(trust.Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(trust.Statement[0].Condition.StringEquals).toMatchObject({
      "aws:RequestTag/kubernetes-namespace": "flux-system",
      "aws:RequestTag/kubernetes-service-account": "kustomize-controller",
    });
    const access = only(json, "aws_iam_role_policy").policy as string;
    expect(access).toMatch(/"Action" = \[\s*"kms:Decrypt",\s*"kms:DescribeKey",?\s*\]/);
    expect(access).toMatch(/"Resource" = aws_kms_key\.[\w-]+\.arn/);
    expect(only(json, "aws_eks_pod_identity_association")).toMatchObject({
      namespace: "flux-system",
      service_account: "kustomize-controller",
      cluster_name: "test",
    });
  });

  test("no encryptors: no Encrypt statement at all (an empty principal list is a malformed policy)", () => {
    const bare = only(synth({ encryptorArns: [] }), "aws_kms_key_policy").policy as string;
    expect(bare).not.toContain("EncryptorsEncrypt");
    expect(bare).not.toContain("kms:Encrypt");
    expect(resources(synth({ encryptorArns: [] }), "aws_iam_role")).toHaveLength(1);
  });
});
