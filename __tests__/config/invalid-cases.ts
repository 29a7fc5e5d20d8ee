import type { Json } from "../helpers";

/**
 * Invalid inputs for the table-driven suite (invalid-inputs.test.ts), one class after another:
 * read and parse errors, secrets, template injection, then every field and cross-field rule.
 * `env` is the environment file (merged over BASE in defaults.yaml), as settings or raw text.
 */
export interface InvalidCase {
  readonly name: string;
  readonly env?: Json | string;
  /** defaults.yaml; BASE when absent. */
  readonly defaults?: Json | string;
  /** The file the problem must be reported against. */
  readonly in: "env" | "defaults";
  /** What follows `<file>: ` on the problem's line: a key path, or `line L` for syntax. */
  readonly key: string;
  /** What the line must say about what is allowed. */
  readonly says: RegExp;
  /** Text that must never appear in the output (a secret). */
  readonly secret?: string;
}

export const BASE: Json = {
  gitlab: { group: "team", project: "gitops" },
  cluster: { publicAccessCidrs: ["203.0.113.0/24"] },
};

// Fake secrets, shaped like the real ones. Joined at run time, so the source itself holds nothing a
// secret scanner (or GitLab's secret detection) would report.
const fake = (...parts: string[]) => parts.join("");
export const GITLAB_PAT = fake("glpat", "-Xy7zQ2mN8pL4vR1sT6wK");
const DEPLOY_TOKEN = fake("gldt", "-Hq3LmZ8xR2vN5pK7sW1c");
const RUNNER_TOKEN = fake("GR1348941", "aB3dE5fG7hJ9kL1mN");
const GITHUB_TOKEN = fake("ghp", "_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8");
const AWS_KEY_ID = fake("AKIA", "IOSFODNN7EXAMPLE");
const AWS_SECRET = fake("wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY");
const SLACK_HOOK_SECRET = fake("Xq7", "Lm2pR9vT4kW8sN1c");
const SLACK_HOOK = fake("https://hooks.", "slack.com/services/T0A1B2C3D/B4E5F6G7H/", SLACK_HOOK_SECRET);
const PRIVATE_KEY = fake(
  "-----BEGIN OPENSSH ",
  "PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH ",
  "PRIVATE KEY-----\n",
);
const TEMPLATE = '${file("/etc/passwd")}';
const DIRECTIVE = "%{ for x in [1] }x%{ endfor }";

const c = (name: string, env: Json | string, key: string, says: RegExp, secret?: string): InvalidCase => ({
  name,
  env,
  in: "env",
  key,
  says,
  secret,
});
const d = (name: string, defaults: Json | string, key: string, says: RegExp, secret?: string): InvalidCase => ({
  name,
  env: {},
  defaults,
  in: "defaults",
  key,
  says,
  secret,
});
const withBase = (patch: Json): Json => ({
  ...BASE,
  ...patch,
  gitlab: { ...BASE.gitlab, ...patch.gitlab },
  cluster: { ...BASE.cluster, ...patch.cluster },
});

export const FILE_CASES: InvalidCase[] = [
  c("unclosed flow sequence", "gitlab: [unclosed\n", "line 2, column 1", /invalid YAML: /),
  c(
    "duplicate key",
    "region: us-west-2\nregion: us-east-1\n",
    "line 2, column 1",
    /invalid YAML: Map keys must be unique/,
  ),
  c("inconsistent indentation", "cluster:\n  name: a\n name: b\n", "line 3", /invalid YAML: /),
  c("tab indentation", "cluster:\n\tname: a\n", "line 2", /invalid YAML: /),
  c(
    "several documents",
    "region: us-west-2\n---\nregion: us-east-1\n",
    "line 2",
    /invalid YAML: Source contains multiple documents/,
  ),
  c("unknown tag", "region: !secret us-west-2\n", "line 1, column 9", /invalid YAML: Unresolved tag: !secret/),
  c("binary tag", "region: !!binary aGVsbG8=\n", "region", /must be a string, number, boolean, list or mapping/),
  c("unresolved alias", "region: *nowhere\n", "line 1, column 9", /invalid YAML: alias \*nowhere refers to no anchor/),
  c(
    "alias expansion bomb",
    "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n" +
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
    "line 2, column 8",
    /aliases expand to more than 50 nodes/,
  ),
  c("list as a key", "? [a, b]\n: 1\n", "line 1, column 3", /a key must be a plain word/),
  c("raw bell character", "region: us-west-2\u0007\n", "line 1, column 18", /control character \\u0007/),
  c("raw NUL byte", "cluster:\n  name: a\u0000b\n", "line 2, column 10", /control character \\u0000/),
  c("bidirectional override", "cluster:\n  name: \u202eevil\n", "line 2, column 9", /control character \\u202e/),
  c("escaped ANSI sequence in a value", 'region: "us-west-2\\e[2J"\n', "region", /must not contain control characters/),
  c(
    "newline forging an output line",
    { tags: { team: "x\nInvalid configuration: all good" } },
    "tags.team",
    /must not contain control characters, line breaks/,
  ),
  c("a list at the top level", "- region\n- us-west-2\n", "(top level)", /must be a mapping of settings/),
  c("a scalar at the top level", "just some text\n", "(top level)", /must be a mapping of settings/),
  c(
    "__proto__ key",
    "__proto__:\n  polluted: true\n",
    "__proto__",
    /key refused \(it names the JavaScript object prototype/,
  ),
  c("constructor key", { gitlab: { constructor: "x" } }, "gitlab.constructor", /key refused/),
  c("prototype key", { tags: { prototype: "x" } }, "tags.prototype", /key refused/),
  c("YAML 1.1 merge key", "x: &x {name: a}\ncluster:\n  <<: *x\n", 'cluster."<<"', /unknown key/),
  c("newline inside a key", { cluster: { "na\nme": "x" } }, 'cluster."na\\nme"', /unknown key/),
  c("very long unknown key", { ["k".repeat(300)]: 1 }, `"${"k".repeat(60)}…"`, /unknown key/),
  {
    name: "empty files: the GitLab project is required",
    env: "",
    defaults: {},
    in: "env",
    key: "gitlab",
    says: /is required \(object\)/,
  },
];

export const SECRET_CASES: InvalidCase[] = [
  c(
    "GitLab token in a tag",
    { tags: { owner: GITLAB_PAT } },
    "tags.owner",
    /looks like a GitLab token, not shown; .*GITLAB_TOKEN/,
    GITLAB_PAT,
  ),
  c(
    "deploy token as the project",
    { gitlab: { project: DEPLOY_TOKEN } },
    "gitlab.project",
    /looks like a GitLab token/,
    DEPLOY_TOKEN,
  ),
  c(
    "runner registration token",
    { tags: { runner: RUNNER_TOKEN } },
    "tags.runner",
    /GitLab runner registration token/,
    RUNNER_TOKEN,
  ),
  c("GitHub token as the group", { gitlab: { group: GITHUB_TOKEN } }, "gitlab.group", /GitHub token/, GITHUB_TOKEN),
  c(
    "AWS access key id in a tag",
    { tags: { key: AWS_KEY_ID } },
    "tags.key",
    /AWS access key id, not shown; .*AWS_PROFILE/,
    AWS_KEY_ID,
  ),
  c("AWS secret key in a tag", { tags: { secret: AWS_SECRET } }, "tags.secret", /AWS secret access key/, AWS_SECRET),
  c(
    "private key block",
    { tags: { ssh: PRIVATE_KEY } },
    "tags.ssh",
    /private key, not shown/,
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU",
  ),
  c(
    "password in the GitLab URL",
    { gitlab: { baseUrl: "https://oauth2:s3cr3tT0kenValue@gitlab.example.com" } },
    "gitlab.baseUrl",
    /credentials in a URL, not shown/,
    "s3cr3tT0kenValue",
  ),
  c(
    "password in the state project",
    { backend: { type: "gitlab", project: "https://me:hunter2hunter2@gitlab.com/a/b" } },
    "backend.project",
    /credentials in a URL/,
    "hunter2hunter2",
  ),
  c("token in a comment", `# my token: ${GITLAB_PAT}\n`, "line 1", /looks like a GitLab token, not shown/, GITLAB_PAT),
  c("token as a tag key", { tags: { [GITLAB_PAT]: "x" } }, "tags", /a key looks like a GitLab token/, GITLAB_PAT),
  c(
    "token in a list",
    { gitops: { namespaces: ["apps", GITLAB_PAT] } },
    "gitops.namespaces.1",
    /GitLab token/,
    GITLAB_PAT,
  ),
  c(
    "Slack webhook URL pasted into the alert channel",
    { alerts: { enabled: true, channel: SLACK_HOOK } },
    "alerts.channel",
    /looks like a chat webhook URL, not shown; .*TF_VAR_flux_alert_address/,
    SLACK_HOOK_SECRET,
  ),
  d("token in defaults.yaml", withBase({ tags: { ci: GITLAB_PAT } }), "tags.ci", /GitLab token, not shown/, GITLAB_PAT),
];

export const INJECTION_CASES: InvalidCase[] = [
  c(
    "template in a tag value",
    { tags: { team: TEMPLATE } },
    "tags.team",
    /must use only letters, digits, spaces and _ \. : \/ = \+ - @/,
  ),
  c(
    "directive in a tag key",
    { tags: { [DIRECTIVE]: "x" } },
    'tags."%{ for x in [1] }x%{ endfor }"',
    /the key must use only letters/,
  ),
  c(
    "template in the GitLab URL",
    { gitlab: { baseUrl: `https://gitlab.com/${TEMPLATE}` } },
    "gitlab.baseUrl",
    /must be the instance's root URL with no path/,
  ),
  c(
    "template in the group",
    { gitlab: { group: "${var.group}" } },
    "gitlab.group",
    /only letters, digits, '_', '-' and '\.'/,
  ),
  c("directive in the project", { gitlab: { project: DIRECTIVE } }, "gitlab.project", /only letters, digits/),
  c(
    "template in the branch",
    { gitlab: { branch: "main${path.cwd}" } },
    "gitlab.branch",
    /a safe subset of what git allows/,
  ),
  c(
    "template in the semver range",
    { apps: { web: { semverRange: TEMPLATE } } },
    "apps.web.semverRange",
    /must be a semver range/,
  ),
  c(
    "template in the ECR name",
    { apps: { web: { healthPath: "/${local.x}" } } },
    "apps.web.healthPath",
    /must be an absolute path/,
  ),
  c("template in the cluster name", { cluster: { name: "${x}" } }, "cluster.name", /must be 1-40 letters/),
  c("template in the SSH host", { gitlab: { sshHost: "${x}" } }, "gitlab.sshHost", /must be a host name/),
  c(
    "template in the webhook host",
    { gitops: { webhook: { hostname: "${x}.example.com" } } },
    "gitops.webhook.hostname",
    /lowercase DNS name/,
  ),
  c(
    "template in the bucket",
    { backend: { type: "s3", bucket: "${x}" } },
    "backend.bucket",
    /must use only lowercase letters, digits/,
  ),
  c(
    "template in the key prefix",
    { backend: { type: "s3", bucket: "state-bucket", keyPrefix: "${x}" } },
    "backend.keyPrefix",
    /S3's safe key characters/,
  ),
  c(
    "template in the state project",
    { backend: { type: "gitlab", project: "${x}/y" } },
    "backend.project",
    /only letters, digits/,
  ),
  c(
    "template in a namespace",
    { gitops: { namespaces: ["${x}"] } },
    "gitops.namespaces.0",
    /must be a Kubernetes namespace name/,
  ),
  c(
    "template in an admin ARN",
    { cluster: { adminPrincipalArns: ["arn:aws:iam::123456789012:role/${x}"] } },
    "cluster.adminPrincipalArns.0",
    /must be an IAM role or user ARN/,
  ),
  c("template in the region", { region: "${x}" }, "region", /must be an AWS region name/),
  c(
    "template in a CIDR",
    { gitops: { webhook: { sourceRanges: ["${x}"] } } },
    "gitops.webhook.sourceRanges.0",
    /must be an IPv4 block/,
  ),
  c(
    "template in an add-on",
    { cluster: { addons: ["vpc-cni", "eks-pod-identity-agent", "${x}"] } },
    "cluster.addons.2",
    /EKS add-on name/,
  ),
];
