/**
 * A stand-in for the `aws` CLI that answers the ECR calls the release gate of ci/app.gitlab-ci.yml
 * makes from recorded responses (the shapes of the ECR API, as the CLI prints them), and logs
 * every call. It behaves like the CLI where the gate depends on it: `--query` (the JMESPath subset
 * the gate uses: fields, `[n]`, multiselect lists; anything else is refused), `--output text`
 * (tab-separated scalars, null as `None`), the ImageScanComplete waiter (success on COMPLETE,
 * exit 255 on FAILED), `ImageNotFoundException` (exit 254) for an image the repository lacks, and
 * put-image's digest check.
 *
 * Environment: AWS_STAND_IN_LOG (JSON lines of the calls), AWS_STAND_IN_REGISTRY (JSON:
 * `{ repository, images: { tag: batch-get-image image }, scans: { tag: describe-image-scan-findings response } }`).
 */
import { createHash } from "crypto";
import { appendFileSync, readFileSync } from "fs";

type Json = Record<string, any>;
interface Step {
  name?: string;
  index?: number;
  select?: Step[][];
}

const argv = process.argv.slice(2);
appendFileSync(process.env.AWS_STAND_IN_LOG!, JSON.stringify(argv) + "\n");
const registry: Json = JSON.parse(readFileSync(process.env.AWS_STAND_IN_REGISTRY!, "utf8"));

function fail(code: number, message: string): never {
  process.stderr.write(message + "\n");
  process.exit(code);
}

const [service, ...rest] = argv;
if (service !== "ecr") fail(252, `stand-in: only ecr is recorded, not ${service}`);
const op = rest[0] === "wait" ? `wait ${rest[1]}` : rest[0];
const FLAGS = new Set(["--no-paginate"]);
const opts: Record<string, string[] | true> = {};
for (let i = rest[0] === "wait" ? 2 : 1; i < rest.length;) {
  const key = rest[i++];
  if (!key.startsWith("--")) fail(252, `stand-in: unexpected argument ${key}`);
  if (FLAGS.has(key)) {
    opts[key] = true;
    continue;
  }
  const values = [];
  while (i < rest.length && !rest[i].startsWith("--")) values.push(rest[i++]);
  if (values.length === 0) fail(252, `aws: error: argument ${key}: expected one argument`);
  opts[key] = values;
}
const many = (key: string): string[] => {
  const value = opts[key];
  return Array.isArray(value) ? value : [];
};
const one = (key: string): string | undefined => many(key)[0];
/** `imageTag=x` / `imageDigest=y` shorthand. */
const imageId = (shorthand = ""): Record<string, string> =>
  Object.fromEntries(shorthand.split(",").map((kv) => kv.split("=")));

if (one("--repository-name") !== registry.repository)
  fail(
    254,
    `An error occurred (RepositoryNotFoundException): The repository '${one("--repository-name")}' does not exist`,
  );

/** The JMESPath subset the gate uses (`a.b[0].[c.d,e]`), parsed into steps; anything else is refused. */
function compile(expression: string): Step[] {
  let pos = 0;
  const unsupported = (): never => fail(252, `stand-in: unsupported query ${expression}`);
  const path = (): Step[] => {
    const steps: Step[] = [];
    do {
      if (expression[pos] === "[") {
        pos++;
        const select = [path()];
        while (expression[pos] === ",") {
          pos++;
          select.push(path());
        }
        if (expression[pos++] !== "]") unsupported();
        steps.push({ select });
      } else {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?/.exec(expression.slice(pos)) ?? unsupported();
        pos += m[0].length;
        steps.push({ name: m[1], index: m[2] === undefined ? undefined : Number(m[2]) });
      }
    } while (expression[pos] === "." && ++pos);
    return steps;
  };
  const steps = path();
  if (pos !== expression.length) unsupported();
  return steps;
}

/** As JMESPath evaluates it: a field of a non-object, an index of a non-array, anything of null is null. */
function evaluate(steps: Step[], data: unknown): unknown {
  let value: any = data;
  for (const step of steps) {
    if (value === null) return null;
    if (step.select) {
      const from = value;
      value = step.select.map((s) => evaluate(s, from));
      continue;
    }
    value = typeof value === "object" && !Array.isArray(value) ? (value[step.name!] ?? null) : null;
    if (step.index !== undefined) value = Array.isArray(value) ? (value[step.index] ?? null) : null;
  }
  return value;
}

function print(response: Json): void {
  const query = one("--query");
  const value = query ? evaluate(compile(query), response) : response;
  const output = one("--output") ?? "json";
  if (output === "json") {
    process.stdout.write(JSON.stringify(value, null, 4) + "\n");
    return;
  }
  if (output !== "text") fail(252, `stand-in: output ${output} is not recorded`);
  const scalar = (v: unknown) => (v === null ? "None" : String(v));
  if (Array.isArray(value)) {
    if (value.some((v) => v !== null && typeof v === "object")) fail(252, "stand-in: text of nested values");
    process.stdout.write(value.map(scalar).join("\t") + "\n");
    return;
  }
  if (value !== null && typeof value === "object") fail(252, "stand-in: text of an object");
  process.stdout.write(scalar(value) + "\n");
}

const scanOf = (id: Record<string, string>): Json => {
  const scan = registry.scans[id.imageTag];
  if (!scan)
    fail(
      254,
      `An error occurred (ImageNotFoundException) when calling the DescribeImageScanFindings operation: The image ` +
        `with imageId {imageTag:'${id.imageTag}'} does not exist within the repository with name ` +
        `'${registry.repository}' in the registry with id '123456789012'`,
    );
  return scan;
};

switch (op) {
  case "wait image-scan-complete": {
    const status = scanOf(imageId(one("--image-id"))).imageScanStatus.status;
    if (status === "COMPLETE") process.exit(0);
    if (status === "FAILED")
      fail(
        255,
        `\nWaiter ImageScanComplete failed: Waiter encountered a terminal failure state: For expression ` +
          `"imageScanStatus.status" we matched expected path: "FAILED"`,
      );
    fail(255, "\nWaiter ImageScanComplete failed: Max attempts exceeded");
    break;
  }
  case "describe-image-scan-findings":
    print(scanOf(imageId(one("--image-id"))));
    break;
  case "batch-get-image": {
    const accepted = many("--accepted-media-types");
    const images: Json[] = [];
    const failures: Json[] = [];
    for (const id of many("--image-ids").map((i) => imageId(i))) {
      const image = registry.images[id.imageTag];
      if (!image)
        failures.push({ imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" });
      else if (accepted.length > 0 && !accepted.includes(image.imageManifestMediaType))
        failures.push({ imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" });
      else images.push(image);
    }
    print({ images, failures });
    break;
  }
  case "put-image": {
    const tag = one("--image-tag");
    const manifest = one("--image-manifest") ?? "";
    const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
    if (one("--image-digest") && one("--image-digest") !== digest)
      fail(
        254,
        "An error occurred (ImageDigestDoesNotMatchException) when calling the PutImage operation: The provided " +
          "digest does not match the digest of the manifest",
      );
    if (tag && registry.images[tag])
      fail(
        254,
        `An error occurred (ImageTagAlreadyExistsException) when calling the PutImage operation: The image tag ` +
          `'${tag}' already exists in the '${registry.repository}' repository and cannot be overwritten because the ` +
          `tag is immutable.`,
      );
    print({
      image: {
        registryId: "123456789012",
        repositoryName: registry.repository,
        imageId: { imageDigest: digest, imageTag: tag },
        imageManifest: manifest,
        imageManifestMediaType: one("--image-manifest-media-type"),
      },
    });
    break;
  }
  default:
    fail(252, `stand-in: ecr ${op} is not recorded`);
}
