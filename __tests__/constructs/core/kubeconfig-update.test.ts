import { KubeconfigUpdate, kubeconfigCommand } from "../../../constructs/core/kubeconfig-update";
import { only, synthConstruct } from "./fixture";

const PROPS = {
  clusterName: "test-cluster",
  region: "eu-west-1",
  clusterArn: "arn:aws:eks:eu-west-1:1:cluster/test-cluster",
};

describe("KubeconfigUpdate", () => {
  test("minimal: runs aws eks update-kubeconfig, again when the cluster is replaced", () => {
    const data = only(
      synthConstruct((s) => new KubeconfigUpdate(s, "update-kubeconfig", PROPS)),
      "terraform_data",
    );
    expect(Object.values(data.triggers_replace)).toEqual([PROPS.clusterArn]);
    expect(data.provisioner).toEqual([
      { "local-exec": { command: "aws eks update-kubeconfig --name test-cluster --region eu-west-1" } },
    ]);
  });

  test("defaults: waits for nothing; the output's command is the same one", () => {
    const data = only(
      synthConstruct((s) => new KubeconfigUpdate(s, "update-kubeconfig", PROPS)),
      "terraform_data",
    );
    expect(data.depends_on).toBeUndefined();
    expect(kubeconfigCommand("c", "r")).toBe("aws eks update-kubeconfig --name c --region r");
  });

  test("invalid: no region", () => {
    expect(() => synthConstruct((s) => new KubeconfigUpdate(s, "update-kubeconfig", { ...PROPS, region: "" }))).toThrow(
      /region is required/,
    );
  });
});
