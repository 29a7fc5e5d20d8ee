import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { CommitStatus, CommitStatusProps } from "../../../constructs/bootstrap/commit-status";
import { COMMIT_STATUS } from "../../../constructs/flux/api";
import { Json } from "../../helpers";
import { only, synthConstruct } from "../core/fixture";

const PROPS: CommitStatusProps = {
  project: "4242",
  gitlabUrl: "https://git.example.com",
  expiryDays: 60,
  rotateBeforeDays: 7,
};
const build = (props: Partial<CommitStatusProps> = {}): Json =>
  synthConstruct((s) => new CommitStatus(s, "status", { ...PROPS, ...props }));

describe("CommitStatus", () => {
  const json = build();
  const token = only(json, "gitlab_project_access_token");
  const secret = only(json, "kubernetes_secret_v1");

  test("minimal: a developer project access token with the api scope, rotated as asked", () => {
    expect(token).toEqual({
      project: "4242",
      name: "flux-commit-status",
      description: "Flux posts reconciliation results as commit statuses",
      scopes: ["api"],
      access_level: "developer",
      rotation_configuration: { expiration_days: 60, rotate_before_days: 7 },
    });
  });

  test("minimal: the Secret the Provider reads holds the token (a reference) and the project's address", () => {
    const tokenName = Object.keys(json.resource.gitlab_project_access_token)[0];
    expect(secret.metadata).toEqual({
      name: COMMIT_STATUS.secretName,
      namespace: "flux-system",
      labels: { "app.kubernetes.io/managed-by": "terraform" },
    });
    expect(secret.data).toEqual({
      token: `\${gitlab_project_access_token.${tokenName}.token}`,
      address: "https://git.example.com/4242",
    });
  });

  test("defaults: the Secret waits for nothing; with dependsOn it waits for exactly that", () => {
    expect(secret.depends_on).toBeUndefined();
    const waiting = synthConstruct((s) => {
      const flux = new NamespaceV1(s, "flux", { metadata: { name: "flux-system" } });
      new CommitStatus(s, "status", { ...PROPS, dependsOn: [flux] });
    });
    expect(only(waiting, "kubernetes_secret_v1").depends_on).toEqual(["kubernetes_namespace_v1.flux"]);
    expect(only(waiting, "gitlab_project_access_token").depends_on).toBeUndefined();
  });

  test.each([
    ["an empty project", { project: "" }, /CommitStatus: project must not be empty/],
    ["rotation on the expiry day (a new token every apply)", { rotateBeforeDays: 60 }, /less than expiryDays \(60\)/],
    ["rotation before it was created", { expiryDays: 5, rotateBeforeDays: 10 }, /rotateBeforeDays \(10\)/],
    ["no rotation margin", { rotateBeforeDays: 0 }, /whole number from 1/],
    ["a fraction of a day", { rotateBeforeDays: 1.5 }, /whole number/],
  ])("refuses %s", (_what, props, error) => {
    expect(() => build(props)).toThrow(error);
  });
});
