import { readFileSync } from "fs";

// Reads `terraform show -json PLAN` on stdin and prints the counts GitLab's Terraform report
// (artifacts:reports:terraform) shows in the merge request widget.
// https://docs.gitlab.com/ci/yaml/artifacts_reports/#artifactsreportsterraform
type Change = { mode: string; change: { actions: string[] } };
const plan = JSON.parse(readFileSync(0, "utf8")) as { resource_changes?: Change[] };
const counts = { create: 0, update: 0, delete: 0 };
for (const { mode, change } of plan.resource_changes ?? []) {
  if (mode !== "managed") continue;
  const a = change.actions;
  if (a.includes("create")) counts.create++;
  if (a.includes("update")) counts.update++;
  if (a.includes("delete")) counts.delete++;
}
const summary = { ...counts, job_name: process.env.CI_JOB_NAME ?? "plan", job_path: process.env.CI_JOB_URL ?? "" };
process.stdout.write(`${JSON.stringify(summary)}\n`);
