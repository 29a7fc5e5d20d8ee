import { ContainerRegistry, ecrReadPolicy } from "../../../constructs/core/container-registry";
import { Json } from "../../helpers";
import { only, synthConstruct } from "./fixture";

describe("ContainerRegistry", () => {
  test("minimal: immutable tags, scan on push", () => {
    const json = synthConstruct((s) => new ContainerRegistry(s, "ecr", { repositoryName: "app" }));
    expect(only(json, "aws_ecr_repository")).toMatchObject({
      name: "app",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
    });
  });

  test("defaults: keeps 30 images, expires untagged ones after 7 days, no force delete", () => {
    const json = synthConstruct((s) => new ContainerRegistry(s, "ecr", { repositoryName: "app" }));
    expect(only(json, "aws_ecr_repository").force_delete).toBe(false);
    const rules = JSON.parse(only(json, "aws_ecr_lifecycle_policy").policy).rules;
    expect(rules[0].selection).toMatchObject({ tagStatus: "untagged", countNumber: 7 });
    expect(rules[1].selection).toMatchObject({ countType: "imageCountMoreThan", countNumber: 30 });
  });

  test("no rule expires a released image, which carries its release tag and the gate's candidate tag", () => {
    const json = synthConstruct((s) => new ContainerRegistry(s, "ecr", { repositoryName: "app" }));
    const rules: Json[] = JSON.parse(only(json, "aws_ecr_lifecycle_policy").policy).rules;
    // ECR: `*` matches any characters; an image is selected when each pattern matches one of its tags.
    const literal = (text: string) => text.replace(/[.+?^$()|[\]\\{}]/g, "\\$&");
    const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map(literal).join(".*")}$`);
    const selects = (rule: Json, tags: string[]) =>
      rule.selection.tagStatus === "untagged"
        ? tags.length === 0
        : (rule.selection.tagPatternList ?? []).every((p: string) => tags.some((t) => glob(p).test(t)));
    for (const rule of rules) {
      expect(rule.selection.tagStatus).not.toBe("any");
      expect(rule.selection.tagPrefixList).toBeUndefined();
      for (const tags of [["1.2.3", "scan-1.2.3"], ["scan-1.2.3"], ["1.2.3"], ["10.20.30", "scan-10.20.30"]])
        expect({ rule: rule.description, tags, selected: selects(rule, tags) }).toEqual({
          rule: rule.description,
          tags,
          selected: false,
        });
    }
    // Pre-releases still expire.
    expect(rules.some((r) => selects(r, ["1.2.4-rc.1", "scan-1.2.4-rc.1"]))).toBe(true);
    expect(rules.some((r) => selects(r, ["0.0.3-feature-x.1"]))).toBe(true);
  });

  test.each([0, -1, 2.5])("invalid: keepImages %p", (keepImages) => {
    expect(() => synthConstruct((s) => new ContainerRegistry(s, "ecr", { repositoryName: "app", keepImages }))).toThrow(
      /keepImages must be a whole number of at least 1/,
    );
  });

  test("ecrReadPolicy: reads the given repositories (or prefix) only; only the login token is account-wide", () => {
    const prefix = "arn:aws:ecr:us-west-2:123456789012:repository/dev/*";
    const [token, read, ...more] = JSON.parse(ecrReadPolicy(prefix)).Statement;
    expect(more).toEqual([]);
    expect(token).toMatchObject({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(read.Resource).toBe(prefix);
    expect(read.Action.every((a: string) => /^ecr:(Batch|Describe|Get|List)/.test(a))).toBe(true);
  });
});
