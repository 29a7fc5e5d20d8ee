import { DeployKey as GitlabDeployKey } from "@cdktf/provider-gitlab/lib/deploy-key";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";

export interface DeployKeyProps {
  /** GitLab project id. */
  readonly project: string;
  /** Title shown in the project's deploy key list. */
  readonly title: string;
  /** The Secret Flux clones and pushes with: its namespace and name. */
  readonly secret: { readonly namespace: string; readonly name: string };
  /** known_hosts lines of the Git host. */
  readonly knownHosts: string;
  /** What the Secret waits for (its namespace). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The SSH key Flux uses for the GitOps repository, and every place it goes: GitLab (a deploy key
 * with write access, for image automation's pushes) and the Secret Flux's controllers read at
 * each reconciliation. Replacing the private key therefore rotates all three in one apply.
 * The private key lives only in Terraform state and in that Secret.
 */
export class DeployKey extends Construct {
  public readonly privateKey: PrivateKey;
  public readonly deployKey: GitlabDeployKey;
  public readonly secret: SecretV1;

  constructor(scope: Construct, id: string, props: DeployKeyProps) {
    super(scope, id);
    const { project, title, secret } = props;
    for (const [key, value] of Object.entries({
      project,
      title,
      "secret.namespace": secret.namespace,
      "secret.name": secret.name,
    })) {
      if (!value) throw new Error(`DeployKey: ${key} must not be empty`);
    }
    // Flux verifies the host key against known_hosts: without a line it cannot clone at all.
    if (!props.knownHosts.trim()) throw new Error(`DeployKey: knownHosts must name the Git host's keys`);
    this.privateKey = new PrivateKey(this, "private-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
    this.deployKey = new GitlabDeployKey(this, "deploy-key", {
      project: props.project,
      title: props.title,
      key: this.privateKey.publicKeyOpenssh,
      canPush: true,
    });
    // The keys source-controller and image-automation-controller read for SSH:
    // https://fluxcd.io/flux/components/source/gitrepositories/#ssh-authentication
    this.secret = new SecretV1(this, "secret", {
      metadata: { name: props.secret.name, namespace: props.secret.namespace, labels: MANAGED_BY_TERRAFORM },
      data: {
        identity: this.privateKey.privateKeyPem,
        "identity.pub": this.privateKey.publicKeyOpenssh,
        known_hosts: props.knownHosts,
      },
      dependsOn: props.dependsOn,
    });
  }
}
