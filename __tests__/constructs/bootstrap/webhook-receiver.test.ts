import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { TLS_POLICY, WebhookReceiver, WebhookReceiverProps } from "../../../constructs/bootstrap/webhook-receiver";
import { WEBHOOK_RECEIVER } from "../../../constructs/flux/api";
import { Json } from "../../helpers";
import { only, synthConstruct } from "../core/fixture";

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
const PROPS: WebhookReceiverProps = { project: "4242", branch: "gitops", sourceRanges: ["192.0.2.0/24"] };
const build = (props: Partial<WebhookReceiverProps> = {}): { json: Json; hookPath: string } => {
  let hookPath = "";
  const json = synthConstruct((s) => {
    const receiver = new WebhookReceiver(s, "hook", { ...PROPS, ...props });
    receiver.addHook(); // the stack adds it once the name it calls resolves
    hookPath = receiver.hookPath;
  });
  return { json, hookPath };
};
const ref = (json: Json, type: string, attribute: string) =>
  `${type}.${Object.keys(json.resource[type])[0]}.${attribute}`;

describe("WebhookReceiver", () => {
  const { json } = build();
  const token = ref(json, "random_password", "result");
  const service = only(json, "kubernetes_service_v1");
  const hook = only(json, "gitlab_project_hook");

  test("minimal: a 40-character token without special characters, in the Secret the Receiver reads", () => {
    expect(only(json, "random_password")).toEqual({ length: 40, special: false });
    expect(only(json, "kubernetes_secret_v1")).toEqual({
      metadata: {
        name: WEBHOOK_RECEIVER.secretName,
        namespace: WEBHOOK_RECEIVER.namespace,
        labels: { "app.kubernetes.io/managed-by": "terraform" },
      },
      data: { token: `\${${token}}` },
    });
  });

  test("minimal: an NLB in front of notification-controller's receiver port, only for the given ranges", () => {
    expect(service.metadata).toEqual({
      name: "flux-webhook-public",
      namespace: "flux-system",
      labels: { "app.kubernetes.io/managed-by": "terraform" },
      annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" },
    });
    expect(service.spec).toEqual({
      type: "LoadBalancer",
      selector: { app: "notification-controller" },
      load_balancer_source_ranges: ["192.0.2.0/24"],
      port: [{ name: "http", port: 80, target_port: "9292", protocol: "TCP" }],
    });
    expect(service.wait_for_load_balancer).toBe(true);
  });

  test("defaults: without TLS the hook calls the NLB's own name over HTTP, pushes to the branch and tags only", () => {
    const path = `/hook/\${sha256("\${${token}}${WEBHOOK_RECEIVER.name}${WEBHOOK_RECEIVER.namespace}")}`;
    const host = `\${${ref(json, "kubernetes_service_v1", "status[0].load_balancer[0].ingress[0].hostname")}}`;
    expect(hook).toEqual({
      project: "4242",
      name: "flux-receiver",
      description: "Tells Flux to reconcile now instead of at the next poll",
      url: `http://${host}${path}`,
      token: `\${${token}}`,
      push_events: true,
      push_events_branch_filter: "gitops",
      tag_push_events: true,
      merge_requests_events: false,
      enable_ssl_verification: false,
    });
    expect(build().hookPath).toMatch(/^\/hook\/\$\{TfToken\[TOKEN\.\d+\]\}$/);
    expect(service.depends_on).toBeUndefined();
  });

  test("with hostname + certificate: TLS 1.2/1.3 on 443 at the NLB, the hook calls the hostname, verifying it", () => {
    const tls = build({ hostname: "flux-hook.example.com", certificateArn: CERT }).json;
    const tlsService = only(tls, "kubernetes_service_v1");
    expect(tlsService.metadata.annotations).toEqual({
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": CERT,
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": TLS_POLICY,
    });
    expect(TLS_POLICY).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
    expect(tlsService.spec.port).toEqual([{ name: "https", port: 443, target_port: "9292", protocol: "TCP" }]);
    const tlsHook = only(tls, "gitlab_project_hook");
    expect(tlsHook.url).toMatch(/^https:\/\/flux-hook\.example\.com\/hook\/\$\{sha256\(/);
    expect(tlsHook.enable_ssl_verification).toBe(true);
  });

  test("dependsOn holds back the Secret and the Service", () => {
    const waiting = synthConstruct((s) => {
      const flux = new NamespaceV1(s, "flux", { metadata: { name: "flux-system" } });
      new WebhookReceiver(s, "hook", { ...PROPS, dependsOn: [flux] });
    });
    expect(only(waiting, "kubernetes_secret_v1").depends_on).toEqual(["kubernetes_namespace_v1.flux"]);
    expect(only(waiting, "kubernetes_service_v1").depends_on).toEqual(["kubernetes_namespace_v1.flux"]);
  });

  test.each([
    ["a hostname without a certificate (plain HTTP in disguise)", { hostname: "flux-hook.example.com" }, /go together/],
    [
      "a certificate without a hostname",
      { certificateArn: CERT },
      /WebhookReceiver: hostname and certificateArn go together/,
    ],
    [
      "no source ranges (open to the internet)",
      { sourceRanges: [] },
      /WebhookReceiver: sourceRanges must not be empty/,
    ],
  ])("refuses %s", (_what, props, error) => {
    expect(() => build(props)).toThrow(error);
  });
});
