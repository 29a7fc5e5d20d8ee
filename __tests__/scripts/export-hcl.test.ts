import { parse } from "@cdktf/hcl2json";
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { exportHcl } from "../../scripts/export-hcl";
import { terraformVersion } from "../../scripts/offline-plan";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { lockFilePath, TERRAFORM } from "../../stacks/terraform-settings";
import { environment, Json, synth } from "../helpers";

// The HCL exit, as the README describes it: `npm run export:hcl` (the real `cdktf synth --hcl`,
// then `terraform fmt`) for the dev environment. Core's HCL is planned by the real Terraform in
// stacks/core-plan.test.ts; bootstrap's HCL (whose providers need a cluster and the registry)
// is parsed back here and compared with the JSON where the hand-written Flux binding is concerned.
const PROJECT = path.join(__dirname, "..", "..");
// Only Terraform itself is needed (for terraform fmt), not the aws provider.
const reason = terraformVersion().reason;
const withTerraform = reason ? test.skip : test;
if (reason) process.stderr.write(`export-hcl: the HCL export test is skipped: ${reason}\n`);

let outdir: string;
const stackDir = (stack: string) => path.join(outdir, "stacks", stack);
const read = (stack: string, file: string) => readFileSync(path.join(stackDir(stack), file), "utf8");

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), "hcl-export-"));
  if (!reason) exportHcl(outdir, { ...process.env, GITOPS_ENV: "dev" });
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("npm run export:hcl (cdktf synth --hcl, then terraform fmt)", () => {
  withTerraform("every stack's HCL is in canonical style: terraform fmt -check passes", () => {
    const check = spawnSync("terraform", ["fmt", "-check", "-recursive", "-no-color", path.join(outdir, "stacks")], {
      encoding: "utf8",
    });
    expect({ status: check.status, files: check.stdout.trim() }).toEqual({ status: 0, files: "" });
  });

  withTerraform("each stack requires Terraform >= 1.10 and carries its committed lock file", () => {
    for (const stack of ["core", "bootstrap"]) {
      expect(read(stack, "versions.tf")).toContain(`required_version = "${TERRAFORM.requiredVersion}"`);
    }
    expect(read("core", ".terraform.lock.hcl")).toBe(readFileSync(lockFilePath(PROJECT, "core"), "utf8"));
  });

  withTerraform(
    "bootstrap: the HCL holds the whole flux provider and flux_bootstrap_git, as the JSON does",
    async () => {
      const hcl = await parse("cdk.tf", read("bootstrap", "cdk.tf"));
      const json = JSON.parse(synth((app) => new BootstrapStack(app, "bootstrap", environment("dev"))));
      const { "//": _metadata, ...bootstrapGit } = Object.values(json.resource.flux_bootstrap_git)[0] as Json;
      expect(hcl.provider.flux).toEqual(json.provider.flux);
      expect(Object.values(hcl.resource.flux_bootstrap_git)).toEqual([[bootstrapGit]]);
      expect(hcl.provider.flux[0]).toMatchObject({
        kubernetes: { exec: { command: "aws" } },
        git: { ssh: { username: "git" } },
      });
      expect(bootstrapGit).toMatchObject({ path: "clusters/flux-dev", embedded_manifests: true });
    },
  );
});
