import { loadEnvironment } from "../../config/load";
import { CiRoleKind, ciRoleArn } from "../../config/names";

// Prints the ARN of the role a CI job assumes (config/names.ts derives it; the ci stack creates
// it), so no role ARN is copied into CI/CD variables. Usage: role-arn.ts plan|deploy
const kind = process.argv[2] as CiRoleKind;
if (kind !== "plan" && kind !== "deploy") {
  process.stderr.write("usage: role-arn.ts plan|deploy\n");
  process.exit(2);
}
process.stdout.write(`${ciRoleArn(loadEnvironment(), kind, process.env.AWS_PARTITION ?? "aws")}\n`);
