import { Testing, TerraformStack } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { GitlabOidcProvider } from "../../../constructs/core/gitlab-oidc-provider";

describe("GitlabOidcProvider", () => {
  test("minimal: the issuer URL and the audiences, no pinned thumbprint", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new GitlabOidcProvider(stack, "oidc", { issuerUrl: "https://gitlab.com", audiences: ["sts.amazonaws.com"] });
    const json = Testing.synth(stack);
    expect(json).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: "https://gitlab.com",
      client_id_list: ["sts.amazonaws.com"],
    });
    expect(
      (Object.values(JSON.parse(json).resource.aws_iam_openid_connect_provider)[0] as Record<string, unknown>)
        .thumbprint_list,
    ).toBeUndefined();
  });
});
