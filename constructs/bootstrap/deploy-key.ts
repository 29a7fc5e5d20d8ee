import { DeployKey as GitlabDeployKey } from "@cdktf/provider-gitlab/lib/deploy-key";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { Construct } from "constructs";

export interface DeployKeyProps {
  /** GitLab project id. */
  readonly project: string;
  /** Title shown in the project's deploy key list. */
  readonly title: string;
}

/**
 * The SSH key Flux uses for the GitOps repository. The private key lives only in Terraform
 * state (encrypted where the state is remote) and in the cluster's flux-system Secret.
 */
export class DeployKey extends Construct {
  public readonly privateKey: PrivateKey;
  public readonly deployKey: GitlabDeployKey;

  constructor(scope: Construct, id: string, props: DeployKeyProps) {
    super(scope, id);
    this.privateKey = new PrivateKey(this, "private-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
    this.deployKey = new GitlabDeployKey(this, "deploy-key", {
      project: props.project,
      title: props.title,
      key: this.privateKey.publicKeyOpenssh,
      // Write access: Flux's image-automation-controller pushes the tag bumps it commits.
      canPush: true,
    });
  }
}
