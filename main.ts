import { App } from "cdktf";
import { ConfigError, loadEnvironment } from "./config/load";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { CiStack } from "./stacks/ci-stack";
import { CoreStack } from "./stacks/core-stack";
import { finishSynth } from "./stacks/terraform-settings";

// Composition root: load and validate the environment before any construct exists, so bad
// configuration fails before anything is written.
let env;
try {
  env = loadEnvironment();
} catch (error) {
  // An input problem is the user's to fix: one line each, no stack trace. Anything else is a bug
  // in this code, and its stack trace is what a bug report needs.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Invalid configuration:\n${error.problems.map((p) => `  ${p}\n`).join("")}`);
  process.exit(1);
}

const app = new App();
new CoreStack(app, "core", env);
new BootstrapStack(app, "bootstrap", env);
// Only with `delivery` configured: the OIDC provider and the roles GitLab CI assumes.
if (env.delivery) new CiStack(app, "ci", env);
app.synth();
finishSynth(app, __dirname, ["core", "bootstrap", "ci"]);
