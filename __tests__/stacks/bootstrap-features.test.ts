import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { COMMIT_STATUS, NOTIFICATION_CONTROLLER, WEBHOOK_RECEIVER } from "../../constructs/flux/api";
import { terraformVersion } from "../../scripts/offline-plan";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { environment, Json, resources, synth } from "../helpers";
import { TOKEN_CANARY as CANARY } from "../helpers";

const TLS = {
  enabled: true,
  sourceRanges: ["gitlab.com"],
  hostname: "flux-hook.example.com",
  certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
  // The hostname's CNAME was made by hand (the zone's case has its own tests below).
  dnsRecordExists: true,
};
const bootstrap = (gitops: Json) => {
  const text = synth((app) => new BootstrapStack(app, "bootstrap", environment("dev", { gitops })));
  const json: Json = JSON.parse(text);
  const files: Json[] = resources(json, "gitlab_repository_file").map((f) => ({
    ...f,
    text: Buffer.from(f.content, "base64").toString("utf8"),
  }));
  return { text, json, files, doc: (suffix: string) => parse(files.find((f) => f.file_path.endsWith(suffix))!.text) };
};

describe("push-triggered reconciliation and commit status: off", () => {
  const { json, files } = bootstrap({});
  test("none of their resources, providers or files exist", () => {
    for (const type of [
      "random_password",
      "gitlab_project_hook",
      "kubernetes_service_v1",
      "gitlab_project_access_token",
    ]) {
      expect(resources(json, type)).toEqual([]);
    }
    // Only Flux's own Git Secret.
    expect(resources(json, "kubernetes_secret_v1").map((s) => s.metadata.name)).toEqual(["flux-system"]);
    expect(json.provider.random).toBeUndefined();
    expect(files.filter((f) => /Receiver|kind: Provider|kind: Alert/.test(f.text))).toEqual([]);
  });
});

describe("webhook receiver over TLS", () => {
  const { text, json, files, doc } = bootstrap({ webhook: TLS });
  const receiver = doc("webhook/receiver.yaml");
  const [token] = Object.keys(json.resource.random_password);
  const tokenRef = `\${random_password.${token}.result}`;
  const [hook] = resources(json, "gitlab_project_hook");

  test("the Receiver is committed to the cluster's folder: gitlab, push and tag events, the flux-system source", () => {
    expect(receiver).toMatchObject({
      apiVersion: "notification.toolkit.fluxcd.io/v1",
      kind: "Receiver",
      metadata: { name: WEBHOOK_RECEIVER.name, namespace: WEBHOOK_RECEIVER.namespace },
      spec: {
        type: "gitlab",
        events: ["Push Hook", "Tag Push Hook"],
        secretRef: { name: WEBHOOK_RECEIVER.secretName },
      },
    });
    expect(receiver.spec.resources).toEqual([
      { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: "flux-system" },
    ]);
    expect(files.find((f) => f.file_path.endsWith("webhook/receiver.yaml"))!.file_path).toBe(
      "clusters/flux-dev/webhook/receiver.yaml",
    );
  });

  test("its token is Terraform's, in a Secret the Receiver names, never in Git or JSON", () => {
    const secret = resources(json, "kubernetes_secret_v1").find(
      (s) => s.metadata.name === receiver.spec.secretRef.name,
    )!;
    expect(secret.metadata).toMatchObject({
      name: receiver.spec.secretRef.name,
      namespace: receiver.metadata.namespace,
    });
    expect(secret.data).toEqual({ token: tokenRef });
    expect(text).not.toContain(CANARY);
    expect(files.some((f) => f.text.includes("random_password"))).toBe(false);
  });

  test("a LoadBalancer Service terminates TLS in front of the receiver port", () => {
    const [service] = resources(json, "kubernetes_service_v1");
    expect(service.spec).toMatchObject({
      type: "LoadBalancer",
      selector: NOTIFICATION_CONTROLLER.selector,
      load_balancer_source_ranges: ["34.74.90.64/28", "34.74.226.0/24"],
      port: [{ name: "https", port: 443, target_port: "9292", protocol: "TCP" }],
    });
    expect(service.metadata.annotations).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": TLS.certificateArn,
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    });
  });

  test("the hook URL is built from the same token, receiver name and namespace as the Receiver", () => {
    expect(hook.url).toBe(
      `https://${TLS.hostname}/hook/\${sha256("${tokenRef}${receiver.metadata.name}${receiver.metadata.namespace}")}`,
    );
    expect(hook).toMatchObject({
      token: tokenRef,
      push_events: true,
      tag_push_events: true,
      enable_ssl_verification: true,
      push_events_branch_filter: "main",
    });
    const output = json.output.webhook_path;
    expect(output.sensitive).toBe(true);
  });

  const tf = terraformVersion();
  (tf.reason ? test.skip : test)(
    tf.reason
      ? `Terraform computes Flux's webhook path (skipped: ${tf.reason})`
      : "Terraform computes the same path as Flux: sha256(token + name + namespace)",
    () => {
      const sample = "s3cr3t-sample-token";
      const expression = hook.url.replace(`https://${TLS.hostname}`, "").replace(tokenRef, sample);
      const dir = mkdtempSync(path.join(tmpdir(), "console-"));
      try {
        const run = spawnSync("terraform", ["console"], { cwd: dir, input: `"${expression}"\n`, encoding: "utf8" });
        const flux = createHash("sha256")
          .update(`${sample}${WEBHOOK_RECEIVER.name}${WEBHOOK_RECEIVER.namespace}`)
          .digest("hex");
        expect(run.stdout.trim()).toBe(`"/hook/${flux}"`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe("webhook receiver over plain HTTP, when the environment allows it", () => {
  const { json } = bootstrap({
    webhook: { enabled: true, allowInsecureHttp: true, sourceRanges: ["198.51.100.0/24"] },
  });
  test("port 80, no certificate, the load balancer's own hostname, no SSL verification", () => {
    const [service] = resources(json, "kubernetes_service_v1");
    expect(service.spec.port).toEqual([{ name: "http", port: 80, target_port: "9292", protocol: "TCP" }]);
    expect(service.metadata.annotations).not.toHaveProperty("service.beta.kubernetes.io/aws-load-balancer-ssl-cert");
    expect(service.wait_for_load_balancer).toBe(true);
    const [hook] = resources(json, "gitlab_project_hook");
    expect(hook.url).toMatch(
      /^http:\/\/\$\{kubernetes_service_v1\..*\.status\[0\]\.load_balancer\[0\]\.ingress\[0\]\.hostname\}\/hook\//,
    );
    expect(hook.enable_ssl_verification).toBe(false);
  });
});

describe("the webhook hostname's DNS record", () => {
  const { dnsRecordExists: _made, ...named } = TLS;
  const ZONE = { id: "Z0123456789ABCDEFGHIJ", domain: "example.com" };
  const lbHostname = /^\$\{kubernetes_service_v1\.[^.]+\.status\[0\]\.load_balancer\[0\]\.ingress\[0\]\.hostname\}$/;

  describe("with a Route 53 zone", () => {
    const { json } = bootstrap({ webhook: { ...named, route53Zone: ZONE } });
    const [name] = Object.keys(json.resource.aws_route53_record ?? {});

    test("bootstrap creates the hostname's CNAME in the zone, to the load balancer, never over another record", () => {
      const records = resources(json, "aws_route53_record");
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        zone_id: ZONE.id,
        name: TLS.hostname,
        type: "CNAME",
        ttl: 60,
        allow_overwrite: false,
      });
      expect(records[0].records).toEqual([expect.stringMatching(lbHostname)]);
      // The Service waits for its load balancer, so the record never gets an empty name.
      expect(resources(json, "kubernetes_service_v1")[0].wait_for_load_balancer).toBe(true);
    });

    test("the GitLab hook depends on the record, and calls the hostname over TLS", () => {
      const [hook] = resources(json, "gitlab_project_hook");
      expect(hook.depends_on).toEqual([`aws_route53_record.${name}`]);
      expect(hook.url).toMatch(new RegExp(`^https://${TLS.hostname.replace(/\./g, "\\.")}/hook/`));
      expect(json.output.image_receiver_url.value).toMatch(/^https:\/\/flux-hook\.example\.com\/hook\//);
    });

    test("an aws provider like core's: the environment's region, its default tags, the pinned version", () => {
      expect(json.provider.aws).toEqual([
        {
          region: "us-west-2",
          default_tags: [{ tags: expect.objectContaining({ "gitops-environment": "dev", "eks-cluster": "flux-dev" }) }],
        },
      ]);
      expect(json.terraform.required_providers.aws).toEqual({
        source: "registry.terraform.io/hashicorp/aws",
        version: "5.100.0",
      });
    });
  });

  describe("with neither a zone nor dnsRecordExists", () => {
    const { json, files } = bootstrap({ webhook: named });

    test("no hook and no image receiver URL point at a name nobody created", () => {
      expect(resources(json, "gitlab_project_hook")).toEqual([]);
      expect(json.output.image_receiver_url).toBeUndefined();
      expect(files.map((f) => f.file_path).filter((p) => p.includes("image-receiver"))).toEqual([]);
    });

    test("the load balancer's name is an output that says what to do next", () => {
      const output = json.output.webhook_load_balancer_hostname;
      expect(output.value).toMatch(lbHostname);
      expect(output.description).toMatch(
        /Point flux-hook\.example\.com \(CNAME\) here, then set gitops\.webhook\.dnsRecordExists: true/,
      );
    });

    test("the Receiver and its load balancer are there already; no record, the aws provider stays", () => {
      expect(resources(json, "kubernetes_service_v1")).toHaveLength(1);
      expect(files.map((f) => f.file_path)).toContain("clusters/flux-dev/webhook/receiver.yaml");
      // Configured without a record, so one left in state by an earlier zone can be destroyed.
      expect(json.provider.aws).toHaveLength(1);
      expect(json.resource.aws_route53_record).toBeUndefined();
    });
  });

  test("with dnsRecordExists: the hook, no record (the aws provider stays configured)", () => {
    const { json } = bootstrap({ webhook: TLS });
    const [hook] = resources(json, "gitlab_project_hook");
    expect(hook.depends_on).toBeUndefined();
    expect(json.resource.aws_route53_record).toBeUndefined();
    expect(json.provider.aws).toHaveLength(1);
  });

  test("over plain HTTP the hook calls the load balancer's own name, as before", () => {
    const { json } = bootstrap({
      webhook: { enabled: true, allowInsecureHttp: true, sourceRanges: ["198.51.100.0/24"] },
    });
    expect(resources(json, "gitlab_project_hook")).toHaveLength(1);
    expect(json.resource.aws_route53_record).toBeUndefined();
  });
});

describe("commit status in GitLab", () => {
  const { text, json, files, doc } = bootstrap({ commitStatus: { enabled: true } });
  const provider = doc("commit-status/provider.yaml");
  const alert = doc("commit-status/alert.yaml");

  test("a Provider (v1beta3, gitlab) and an Alert on the Kustomizations are committed", () => {
    expect(provider).toMatchObject({
      apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
      kind: "Provider",
      spec: { type: "gitlab", secretRef: { name: COMMIT_STATUS.secretName } },
    });
    expect(alert).toMatchObject({
      apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
      kind: "Alert",
      spec: { providerRef: { name: provider.metadata.name } },
    });
    expect(alert.spec.eventSources).toEqual([{ kind: "Kustomization", name: "*", namespace: "flux-system" }]);
  });

  test("a project access token with the api scope, an expiry and rotation", () => {
    const [token] = resources(json, "gitlab_project_access_token");
    expect(token).toMatchObject({
      scopes: ["api"],
      access_level: "developer",
      rotation_configuration: { expiration_days: 90, rotate_before_days: 14 },
    });
  });

  test("token and project's numeric id live in the Secret the Provider names; nothing secret in Git or JSON", () => {
    const secret = resources(json, "kubernetes_secret_v1").find(
      (s) => s.metadata.name === provider.spec.secretRef.name,
    )!;
    const [tokenName] = Object.keys(json.resource.gitlab_project_access_token);
    expect(secret.metadata).toMatchObject({
      name: provider.spec.secretRef.name,
      namespace: provider.metadata.namespace,
    });
    expect(secret.data).toEqual({
      token: `\${gitlab_project_access_token.${tokenName}.token}`,
      address: "https://gitlab.com/${data.gitlab_project.gitops-project.id}",
    });
    expect(text).not.toContain(CANARY);
    expect(files.some((f) => /token:/.test(f.text))).toBe(false);
  });
});

describe("image Receiver (generic-oidc) for the apps' release pipelines", () => {
  const { json, files, doc } = bootstrap({ webhook: TLS });
  const receiver = doc("image-receiver/receiver.yaml");
  const provider = receiver.spec.oidcProviders[0];

  test("committed beside the webhook, served secret-free, for the GitLab instance and this cluster's audience", () => {
    expect(files.map((f) => f.file_path)).toContain("clusters/flux-dev/image-receiver/receiver.yaml");
    expect(receiver).toMatchObject({
      apiVersion: "notification.toolkit.fluxcd.io/v1",
      kind: "Receiver",
      spec: { type: "generic-oidc" },
    });
    expect(receiver.spec.secretRef).toBeUndefined();
    expect(receiver.spec.oidcProviders).toHaveLength(1);
    expect(provider.issuerURL).toBe("https://gitlab.com");
    expect(provider.audience).toBe("flux-flux-dev");
  });

  test("its claims are checked one by one: one of the apps' release projects, a tag, a protected one", () => {
    expect(provider.validations.map((v: Json) => v.expression)).toEqual([
      "claims.project_path in ['my-group/nginx-app']",
      "claims.ref_type == 'tag'",
      "claims.ref_protected == 'true'",
    ]);
  });

  test("it reconciles the releasing apps' ImageRepositories, nothing else", () => {
    expect(receiver.spec.resources).toEqual([
      { apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImageRepository", name: "nginx", namespace: "flux-system" },
    ]);
  });

  test("the URL and audience the app's pipeline needs are outputs; the path is Flux's formula with no token", () => {
    const path = `/hook/${createHash("sha256").update("gitlab-ci-oidcflux-system").digest("hex")}`;
    expect(json.output.image_receiver_url.value).toBe(`https://flux-hook.example.com${path}`);
    expect(json.output.image_receiver_audience.value).toBe("flux-flux-dev");
  });

  test("absent without a release project, and without a TLS hostname to reach it", () => {
    const env = environment("dev", { gitops: { webhook: TLS }, apps: { nginx: { enabled: false } } });
    const noApp = synth((app) => new BootstrapStack(app, "bootstrap", env));
    expect(noApp).not.toMatch(/image-receiver/);
    const http = bootstrap({ webhook: { enabled: true, allowInsecureHttp: true, sourceRanges: ["198.51.100.0/24"] } });
    expect(http.files.map((f) => f.file_path).filter((p) => p.includes("image-receiver"))).toEqual([]);
  });
});
