import { spawnSync } from "child_process";
import { existsSync, readdirSync } from "fs";
import * as path from "path";

/**
 * The HCL exit from CDKTF: `cdktf synth --hcl` (the real CLI of this project), then
 * `terraform fmt`, because the CLI's HCL is valid but not in canonical style (it writes
 * `"${aws_vpc.x.id}"` where fmt writes `aws_vpc.x.id`). `terraform fmt` also parses every file,
 * so HCL that does not parse fails here. The committed provider lock files are copied next to
 * each stack by main.ts, as for JSON.
 *
 *   npm run export:hcl                       # GITOPS_ENV=dev into cdktf.out/stacks/<stack>/cdk.tf
 *   npm run export:hcl -- --output hcl.out   # another folder
 */
export function exportHcl(outdir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const project = path.join(__dirname, "..");
  // `cdktf`, or `cdktn` where cdktf is an npm alias of CDK Terrain (.ci/cdktn-check).
  const cdktf = ["cdktf", "cdktn"]
    .map((bin) => path.join(project, "node_modules", ".bin", bin))
    .find((bin) => existsSync(bin))!;
  const childEnv = { ...env, CHECKPOINT_DISABLE: "1", CI: "1" };
  const synth = spawnSync(cdktf, ["synth", "--hcl", "--output", outdir], {
    cwd: project,
    env: childEnv,
    encoding: "utf8",
  });
  if (synth.status !== 0) throw new Error(`cdktf synth --hcl failed:\n${synth.stderr}${synth.stdout}`);
  const stacksDir = path.join(outdir, "stacks");
  const stacks = readdirSync(stacksDir).filter((s) => existsSync(path.join(stacksDir, s, "cdk.tf")));
  if (stacks.length === 0) throw new Error(`cdktf synth --hcl wrote no cdk.tf under ${stacksDir}`);
  formatHcl(stacksDir, childEnv);
  return stacks.map((s) => path.join(stacksDir, s));
}

/**
 * `terraform fmt` over a folder of HCL: canonical style, and an error for HCL that does not
 * parse (with Terraform's own message).
 */
export function formatHcl(dir: string, env: NodeJS.ProcessEnv = process.env): void {
  const fmt = spawnSync("terraform", ["fmt", "-recursive", "-list=false", "-no-color", dir], { env, encoding: "utf8" });
  if (fmt.error)
    throw new Error(`terraform fmt could not run (${fmt.error.message}); the HCL in ${dir} is unformatted`);
  if (fmt.status !== 0) throw new Error(`terraform fmt rejected the HCL:\n${fmt.stderr}`);
}

if (require.main === module) {
  const i = process.argv.indexOf("--output");
  const outdir = path.resolve(i > 0 ? process.argv[i + 1] : "cdktf.out");
  for (const dir of exportHcl(outdir)) process.stdout.write(`${path.relative(process.cwd(), dir)}/cdk.tf\n`);
}
