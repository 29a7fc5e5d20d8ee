import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { CONFIG_FILES_DIR } from "../../constructs/bootstrap/gitops-files";
import { committedTree } from "../../scripts/render-check";
import { plaintextSecrets } from "../../scripts/render-check/sops";
import { environment, ENVIRONMENTS } from "../helpers";

// "No secret in Git": a Kubernetes Secret reaches a GitOps repository only SOPS-encrypted (README
// "Add a secret"). Checked on every file each environment commits, with every opt-in feature on,
// and on every YAML file under config_files/ whether an environment commits it or not.
const EVERYTHING_ON = {
  alerts: { enabled: true },
  secrets: { sops: { enabled: true } },
  gitops: {
    webhook: {
      enabled: true,
      hostname: "flux-hook.example.com",
      certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000000",
      sourceRanges: ["gitlab.com"],
      // The hostname resolves, so the image receiver is committed too.
      route53Zone: { id: "Z0123456789ABCDEFGHIJ", domain: "example.com" },
    },
    commitStatus: { enabled: true },
  },
};

describe.each(ENVIRONMENTS)("environment %s", (name) => {
  test.each([
    ["as configured", {}],
    ["with every opt-in feature on", EVERYTHING_ON],
  ])("commits no Secret in clear, %s", (_how, patch) => {
    const tree = committedTree(environment(name, patch));
    const yaml = [...tree.files].filter(([file]) => /\.ya?ml$/.test(file));
    expect(yaml.length).toBeGreaterThan(0);
    expect(yaml.flatMap(([file, content]) => plaintextSecrets(file, content))).toEqual([]);
  });
});

test("no YAML file under config_files/ holds a Secret in clear", () => {
  const files = readdirSync(CONFIG_FILES_DIR, { recursive: true, encoding: "utf8" }).filter((f) => /\.ya?ml$/.test(f));
  expect(files.length).toBeGreaterThan(0);
  const problems = files.flatMap((f) => plaintextSecrets(f, readFileSync(path.join(CONFIG_FILES_DIR, f), "utf8")));
  expect(problems).toEqual([]);
});
