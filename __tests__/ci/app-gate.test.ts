import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { Json } from "../helpers";

// The release gate of ci/app.gitlab-ci.yml (gate-<env>), its script run for real by POSIX sh
// (dash) as the job runs it, with an `aws` stand-in on PATH that answers from recorded ECR
// responses (ecr-responses/) and logs each call.
const ROOT = path.join(__dirname, "..", "..");
const RESPONSES = path.join(__dirname, "ecr-responses");
const [, template] = parseAllDocuments(readFileSync(path.join(ROOT, "ci", "app.gitlab-ci.yml"), "utf8")).map(
  (d) => d.toJS() as Json,
);
const gateName = Object.keys(template).find((k) => k.startsWith("gate-"))!;
const gate: Json = template[gateName];
const imageJob: Json = template[Object.keys(template).find((k) => k.startsWith("image-"))!];

const recorded = (file: string): Json => JSON.parse(readFileSync(path.join(RESPONSES, file), "utf8"));
const CANDIDATE: Json = recorded("batch-get-image.candidate.json").images[0];
const DIGEST: string = CANDIDATE.imageId.imageDigest;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The aws calls, in order, as argument lists. */
  calls: string[][];
  ops: string[];
  /** Permission bits of the web-identity token file. */
  tokenMode: number;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ecr-gate-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the gate job's script for tag v1.2.3 of prod/nginx against the given registry content. */
function runGate(
  blockSeverities: string,
  scan: string | undefined,
  images: Record<string, Json> = { "scan-1.2.3": CANDIDATE },
): Run {
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    path.join(bin, "aws"),
    `#!/bin/sh\nexec "${process.execPath}" -r "${require.resolve("sucrase/register/ts")}" ` +
      `"${path.join(__dirname, "aws-stand-in.ts")}" "$@"\n`,
  );
  chmodSync(path.join(bin, "aws"), 0o755);
  const log = path.join(dir, "calls.jsonl");
  writeFileSync(log, "");
  const registry = path.join(dir, "registry.json");
  writeFileSync(
    registry,
    JSON.stringify({ repository: "prod/nginx", images, scans: scan ? { "scan-1.2.3": recorded(scan) } : {} }),
  );
  const run = spawnSync("sh", ["-e", "-c", (gate.script as string[]).join("\n")], {
    cwd: dir,
    encoding: "utf8",
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      CI_COMMIT_TAG: "v1.2.3",
      AWS_ID_TOKEN: "id-token-stand-in",
      AWS_WEB_IDENTITY_TOKEN_FILE: path.join(dir, "aws-id-token"),
      AWS_REGION: "us-west-2",
      ECR_REPOSITORY_URL: "123456789012.dkr.ecr.us-west-2.amazonaws.com/prod/nginx",
      BLOCK_SEVERITIES: blockSeverities,
      AWS_STAND_IN_LOG: log,
      AWS_STAND_IN_REGISTRY: registry,
    },
  });
  const calls = readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    calls,
    ops: calls.map((c) => (c[1] === "wait" ? `wait ${c[2]}` : c[1])),
    tokenMode: statSync(path.join(dir, "aws-id-token")).mode & 0o777,
  };
}
const arg = (call: string[], key: string) => call[call.indexOf(key) + 1];

describe("ci/app.gitlab-ci.yml: the release gate", () => {
  test("the image job pushes only the candidate tag scan-<version>, which no semver policy can select", () => {
    const kaniko = (imageJob.script as string[]).find((l) => l.includes("/kaniko/executor"))!;
    expect(kaniko).toContain('--destination "$ECR_REPOSITORY_URL:scan-${CI_COMMIT_TAG#v}"');
    expect(kaniko.match(/--destination/g)).toHaveLength(1);
  });

  test("the gate job: pinned aws-cli image, push role by OIDC, CRITICAL blocks by default, Flux waits for it", () => {
    expect(gate.image).toEqual({
      name: expect.stringMatching(/^public\.ecr\.aws\/aws-cli\/aws-cli:\d+\.\d+\.\d+$/),
      entrypoint: [""],
    });
    expect(gate.id_tokens).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
    expect(gate.variables.AWS_ROLE_ARN).toBe(imageJob.variables.AWS_ROLE_ARN);
    expect(gate.needs).toEqual([Object.keys(template).find((k) => k.startsWith("image-"))]);
    expect(gate.allow_failure).toBeUndefined();
    const flux = template[Object.keys(template).find((k) => k.startsWith("flux-"))!];
    expect(flux.needs).toEqual([gateName]);
    expect(template.spec).toBeUndefined();
    const [spec] = parseAllDocuments(readFileSync(path.join(ROOT, "ci", "app.gitlab-ci.yml"), "utf8"));
    const input = (spec.toJS() as Json).spec.inputs.block_severities;
    expect(input.default).toBe("CRITICAL");
    const regex = new RegExp(input.regex);
    for (const ok of ["CRITICAL", "HIGH,CRITICAL", "none"]) expect(regex.test(ok)).toBe(true);
    for (const bad of ["critical", "CRITICAL,", "HIGH, CRITICAL", "NONE", ""]) expect(regex.test(bad)).toBe(false);
  });

  test("CRITICAL findings: the job fails naming the counts, and the release tag is not put", () => {
    const run = runGate("CRITICAL", "describe-image-scan-findings.critical.json");
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/findings of a blocked severity: CRITICAL=2 \(block_severities: CRITICAL\)/);
    expect(run.ops).toEqual(["wait image-scan-complete", "describe-image-scan-findings"]);
    expect(run.calls.every((c) => arg(c, "--image-id") === "imageTag=scan-1.2.3")).toBe(true);
    expect(run.ops).not.toContain("put-image");
  });

  test("a clean scan: the candidate's manifest is put under the release tag, same digest", () => {
    const run = runGate("CRITICAL", "describe-image-scan-findings.high.json");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.ops).toEqual([
      "wait image-scan-complete",
      "describe-image-scan-findings",
      "batch-get-image",
      "batch-get-image",
      "batch-get-image",
      "put-image",
    ]);
    const put = run.calls[run.calls.length - 1];
    expect(arg(put, "--repository-name")).toBe("prod/nginx");
    expect(arg(put, "--registry-id")).toBe("123456789012");
    expect(arg(put, "--image-tag")).toBe("1.2.3");
    expect(arg(put, "--image-manifest")).toBe(CANDIDATE.imageManifest);
    expect(arg(put, "--image-manifest-media-type")).toBe(CANDIDATE.imageManifestMediaType);
    expect(arg(put, "--image-digest")).toBe(DIGEST);
    expect(run.stdout).toContain(
      `gate: released 123456789012.dkr.ecr.us-west-2.amazonaws.com/prod/nginx:1.2.3 (${DIGEST})`,
    );
  });

  test("a scan without any finding (no severity counts at all) passes", () => {
    const run = runGate("CRITICAL", "describe-image-scan-findings.none.json");
    expect(run.status).toBe(0);
    expect(run.ops[run.ops.length - 1]).toBe("put-image");
  });

  test("block_severities HIGH,CRITICAL blocks the HIGH findings CRITICAL lets through", () => {
    const run = runGate("HIGH,CRITICAL", "describe-image-scan-findings.high.json");
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/blocked severity: HIGH=3 \(block_severities: HIGH,CRITICAL\)/);
    expect(run.ops).not.toContain("put-image");
  });

  test("none: no scan wait, no findings read; the release tag is put right away", () => {
    const run = runGate("none", undefined);
    expect(run.status).toBe(0);
    expect(run.ops).not.toContain("wait image-scan-complete");
    expect(run.ops).not.toContain("describe-image-scan-findings");
    expect(arg(run.calls[run.calls.length - 1], "--image-tag")).toBe("1.2.3");
  });

  test("a failed scan (unsupported image) stops the release", () => {
    const run = runGate("CRITICAL", "describe-image-scan-findings.failed.json");
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/the scan of scan-1\.2\.3 failed or did not finish: not released/);
    expect(run.ops).toEqual(["wait image-scan-complete"]);
  });

  test("a rerun after the release: nothing to put; another image under the release tag fails", () => {
    const same = runGate("CRITICAL", "describe-image-scan-findings.high.json", {
      "scan-1.2.3": CANDIDATE,
      "1.2.3": { ...CANDIDATE, imageId: { imageDigest: DIGEST, imageTag: "1.2.3" } },
    });
    expect(same.status).toBe(0);
    expect(same.stdout).toContain(`gate: 1.2.3 is already this image (${DIGEST})`);
    expect(same.ops).not.toContain("put-image");
    const other = runGate("CRITICAL", "describe-image-scan-findings.high.json", {
      "scan-1.2.3": CANDIDATE,
      "1.2.3": { ...CANDIDATE, imageId: { imageDigest: `sha256:${"0".repeat(64)}`, imageTag: "1.2.3" } },
    });
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(/1\.2\.3 already names another image/);
    expect(other.ops).not.toContain("put-image");
  });

  test("a severity ECR does not have stops the job before any call", () => {
    const run = runGate("SEVERE", "describe-image-scan-findings.critical.json");
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/block_severities: 'SEVERE' is no ECR severity/);
    expect(run.calls).toEqual([]);
  });

  test("the ID token lands in a file only the job can read; no token in the output", () => {
    const run = runGate("CRITICAL", "describe-image-scan-findings.high.json");
    expect(run.tokenMode).toBe(0o600);
    expect(readFileSync(path.join(dir, "aws-id-token"), "utf8")).toBe("id-token-stand-in");
    expect(run.stdout + run.stderr).not.toContain("id-token-stand-in");
  });
});
