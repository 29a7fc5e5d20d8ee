import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { Construct } from "constructs";
import { KUSTOMIZE_CONTROLLER } from "../flux/api";
import { accountOf, KEY_ADMINISTRATION, policyDocument, PolicyStatement } from "./policy-document";
import { PodIdentityRole } from "./pod-identity-role";

export interface SopsKeyProps {
  /** The cluster name: names the key's description. */
  readonly name: string;
  /** The key's alias, `alias/<cluster>-sops` (config/names.ts sopsKeyAlias). */
  readonly alias: string;
  /** AWS partition. */
  readonly partition: string;
  /** IAM principals that encrypt with the key (people, the deploy role); they cannot decrypt. @default [] */
  readonly encryptorArns?: string[];
  /** The EKS cluster resource's name (a reference, so the association waits for the cluster). */
  readonly clusterName: string;
  /** The cluster's ARN, for the trust policy's account. */
  readonly clusterArn: string;
  /** The name of kustomize-controller's IAM role. */
  readonly decryptorRoleName: string;
}

/** What SOPS calls: `Encrypt` wraps its data key, `Decrypt` unwraps it (getsops/sops kms/keysource.go). */
export const SOPS_ENCRYPT_ACTIONS = ["kms:Encrypt", "kms:DescribeKey"];
export const SOPS_DECRYPT_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"];

/**
 * The environment's SOPS key and its one reader. The key policy separates three roles: the
 * account administers it (no use), the encryptors may only encrypt (writing a secret needs no
 * power to read the others), and only kustomize-controller's Pod Identity role may decrypt. Flux
 * reads AWS credentials per controller, not per Kustomization, so the role belongs to
 * flux-system/kustomize-controller. Rotation is on: KMS keeps old key material, so files
 * encrypted before a rotation still decrypt.
 * https://fluxcd.io/flux/guides/mozilla-sops/ · https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
 */
export class SopsKey extends Construct {
  public readonly key: KmsKey;
  public readonly alias: KmsAlias;
  public readonly policy: KmsKeyPolicy;
  /** kustomize-controller's role: kms:Decrypt on this key only. */
  public readonly decryptor: PodIdentityRole;

  constructor(scope: Construct, id: string, props: SopsKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, "key", {
      description: `${props.name}: SOPS-encrypted Secrets in Git`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    this.alias = new KmsAlias(this, "alias", { name: props.alias, targetKeyId: this.key.keyId });
    this.decryptor = new PodIdentityRole(this, "decryptor", {
      roleName: props.decryptorRoleName,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      ...KUSTOMIZE_CONTROLLER,
      inlinePolicy: policyDocument([{ Effect: "Allow", Action: SOPS_DECRYPT_ACTIONS, Resource: this.key.arn }]),
    });
    const root = `arn:${props.partition}:iam::${accountOf(this.key.arn)}:root`;
    const encryptors = props.encryptorArns ?? [];
    const use: PolicyStatement[] = [
      {
        Sid: "KustomizeControllerDecrypts",
        Effect: "Allow",
        Principal: { AWS: this.decryptor.role.arn },
        Action: SOPS_DECRYPT_ACTIONS,
        Resource: "*",
      },
    ];
    if (encryptors.length > 0) {
      use.unshift({
        Sid: "EncryptorsEncrypt",
        Effect: "Allow",
        Principal: { AWS: encryptors },
        Action: SOPS_ENCRYPT_ACTIONS,
        Resource: "*",
      });
    }
    this.policy = new KmsKeyPolicy(this, "policy", {
      keyId: this.key.keyId,
      policy: policyDocument([...KEY_ADMINISTRATION(root), ...use]),
    });
  }
}
