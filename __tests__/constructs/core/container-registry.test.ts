import { ContainerRegistry, ecrReadPolicy } from "../../../constructs/core/container-registry";
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

  test.each([0, -1, 2.5])("invalid: keepImages %p", (keepImages) => {
    expect(() => synthConstruct((s) => new ContainerRegistry(s, "ecr", { repositoryName: "app", keepImages }))).toThrow(
      /keepImages must be a whole number of at least 1/,
    );
  });

  test("ecrReadPolicy: reads the given repositories (or prefix) only; the login token is the one account-wide grant", () => {
    const prefix = "arn:aws:ecr:us-west-2:123456789012:repository/dev/*";
    const [token, read, ...more] = JSON.parse(ecrReadPolicy(prefix)).Statement;
    expect(more).toEqual([]);
    expect(token).toMatchObject({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(read.Resource).toBe(prefix);
    expect(read.Action.every((a: string) => /^ecr:(Batch|Describe|Get|List)/.test(a))).toBe(true);
  });
});
