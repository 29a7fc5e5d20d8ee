import { App } from "cdktf";
import { ConfigError, loadEnvironment } from "./config/load";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { CiStack } from "./stacks/ci-stack";
import { CoreStack } from "./stacks/core-stack";

// Composition root: load and validate the environment before any construct exists, so bad
// configuration fails before anything is written.
let env;
try {
  env = loadEnvironment();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Invalid configuration:\n${error.problems.map((p) => `  ${p}`).join("\n")}\n`);
  process.exit(1);
}

const app = new App();
new CoreStack(app, "core", env);
new BootstrapStack(app, "bootstrap", env);
// Only with `delivery` configured: the OIDC provider and the roles GitLab CI assumes.
if (env.delivery) new CiStack(app, "ci", env);
app.synth();
