import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Construct } from "constructs";

export interface GitlabOidcProviderProps {
  /** The GitLab instance URL: the `iss` of its ID tokens. */
  readonly issuerUrl: string;
  /** The `aud` values roles may be assumed with (the provider's client ids). */
  readonly audiences: string[];
}

/**
 * The IAM OpenID Connect provider that lets GitLab CI ID tokens be exchanged for AWS role
 * sessions (AssumeRoleWithWebIdentity). IAM allows one provider per issuer and account, so one
 * environment per account creates it (`delivery.createOidcProvider`) and the others name it by ARN.
 * No thumbprint: IAM verifies GitLab.com's certificate through its trusted CAs, and the aws
 * provider 5.x accepts an empty list.
 * https://docs.gitlab.com/ci/cloud_services/aws/
 */
export class GitlabOidcProvider extends Construct {
  public readonly provider: IamOpenidConnectProvider;

  constructor(scope: Construct, id: string, props: GitlabOidcProviderProps) {
    super(scope, id);
    this.provider = new IamOpenidConnectProvider(this, "provider", {
      url: props.issuerUrl,
      clientIdList: props.audiences,
    });
  }
}
