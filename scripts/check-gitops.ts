import { parseAllDocuments } from "yaml";
import { ConfigError, knownEnvironments, loadEnvironment } from "../config/load";
import { undefinedVariables } from "../constructs/bootstrap/cluster-vars";
import { API_VERSIONS } from "../constructs/flux/api";
import { renderFiles } from "../constructs/bootstrap/gitops-files";
import { gitopsFeatures } from "../stacks/bootstrap-stack";

// `npm run check:gitops`: renders the GitOps content exactly as each environment's bootstrap
// stack commits it, and checks every document: valid YAML, apiVersion, kind and name, the
// current Flux API versions, and no ${VAR} that Flux would silently turn into "".
function check(): string[] {
  const problems: string[] = [];
  for (const name of knownEnvironments()) {
    const env = loadEnvironment(name);
    const options = { shared: env.gitops.ownsSharedFiles, features: gitopsFeatures(env) };
    const files = renderFiles({ ENVIRONMENT: env.name, CLUSTER_NAME: env.cluster.name }, options);
    for (const file of files) {
      const where = `${name}: ${file.target} (from config_files/${file.source})`;
      for (const doc of parseAllDocuments(file.content, { uniqueKeys: true })) {
        if (doc.errors.length) problems.push(`${where}: ${doc.errors[0].message.split("\n")[0]}`);
        const obj = (doc.toJS() ?? {}) as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
        if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) problems.push(`${where}: needs apiVersion, kind and metadata.name`);
        const expected = API_VERSIONS[obj.kind as keyof typeof API_VERSIONS];
        if (obj.apiVersion?.includes("toolkit.fluxcd.io") && obj.apiVersion !== expected) {
          problems.push(`${where}: ${obj.kind} must be ${expected}, not ${obj.apiVersion}`);
        }
      }
      for (const variable of undefinedVariables(file.content)) {
        problems.push(`${where}: ${variable} is not a key of cluster-vars and has no default`);
      }
    }
    process.stdout.write(`${name}: ${files.length} files checked\n`);
  }
  return problems;
}

try {
  const problems = check();
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.exitCode = problems.length ? 1 : 0;
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? "Invalid configuration:\n" : ""}${(error as Error).message}\n`);
  process.exitCode = 1;
}
