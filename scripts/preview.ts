import { App } from "cdktf";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ConfigError, loadEnvironment } from "../config/load";
import { CoreStack } from "../stacks/core-stack";
import { findProviderSource, planOffline, terraformVersion } from "./offline-plan";

// `npm run preview`: the real Terraform plan of the core stack for the selected environment
// (GITOPS_ENV), with no AWS account: see scripts/offline-plan.ts.
async function main(): Promise<number> {
  const env = loadEnvironment();
  const tf = terraformVersion();
  const source = findProviderSource();
  if (!tf.version || source.reason) {
    process.stderr.write(
      `preview needs Terraform and the aws provider (a mirror or the registry): ${tf.reason ?? source.reason}\n`,
    );
    return 2;
  }
  const outdir = mkdtempSync(path.join(tmpdir(), "preview-synth-"));
  try {
    const app = new App({ outdir });
    new CoreStack(app, "core", env);
    app.synth();
    const stackJson = JSON.parse(readFileSync(path.join(outdir, "stacks", "core", "cdk.tf.json"), "utf8"));
    const from = source.mirrorDir ?? "the registry";
    process.stdout.write(
      `Planning core for environment ${env.name} (${env.file}) with Terraform ${tf.version}, ` +
        `no AWS account, provider from ${from}...\n`,
    );
    const plan = await planOffline(stackJson, source);
    const width = Math.max(...Object.keys(plan.countsByType).map((t) => t.length));
    for (const [type, count] of Object.entries(plan.countsByType).sort()) {
      process.stdout.write(`  ${type.padEnd(width)}  ${count}\n`);
    }
    const creates = plan.resources.filter((r) => r.actions.includes("create")).length;
    process.stdout.write(
      `Plan: ${creates} to add, ${plan.resources.length - creates} other, ` +
        `in ${Object.keys(plan.countsByType).length} resource types ` +
        `(cluster ${env.cluster.name}, Kubernetes ${env.cluster.kubernetesVersion}, ` +
        `${env.network.availabilityZones.length} AZs, ` +
        `${env.network.natGateways} NAT, ${env.nodeGroup.capacityType} ${env.nodeGroup.instanceTypes.join("/")} ` +
        `${env.nodeGroup.minSize}/${env.nodeGroup.desiredSize}/${env.nodeGroup.maxSize}).\n`,
    );
    return 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof ConfigError ? "Invalid configuration:\n" : ""}${(error as Error).message}\n`,
    );
    process.exitCode = 1;
  },
);
