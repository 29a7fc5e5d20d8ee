import { ProjectHook } from "@cdktf/provider-gitlab/lib/project-hook";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";
import { NOTIFICATION_CONTROLLER, WEBHOOK_RECEIVER } from "../flux/api";

/** The NLB's TLS policy: TLS 1.3 and 1.2 only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface WebhookReceiverProps {
  /** GitLab project id the hook is added to. */
  readonly project: string;
  /** Branch whose pushes trigger the hook. */
  readonly branch: string;
  /** DNS name pointing at the load balancer; with certificateArn it turns TLS on. */
  readonly hostname?: string;
  /** ACM certificate the load balancer terminates TLS with. */
  readonly certificateArn?: string;
  /** CIDRs the load balancer admits. */
  readonly sourceRanges: string[];
  /** What must exist first (the Flux bootstrap). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The push path into Flux: a token, the Secret the Receiver reads it from, a load balancer in
 * front of the notification-controller's receiver port, and (`addHook`) the GitLab hook that
 * calls it, once the name it calls resolves.
 * https://fluxcd.io/flux/components/notification/receivers/#gitlab
 */
export class WebhookReceiver extends Construct {
  public readonly token: Password;
  public readonly service: ServiceV1;
  /** `/hook/<sha256(token + receiver name + namespace)>`: the path the Receiver serves. */
  public readonly hookPath: string;
  /** The load balancer's own DNS name (known once the Service has its load balancer). */
  public readonly loadBalancerHostname: string;
  /** The URL GitLab calls: the TLS hostname, else the load balancer's own name over HTTP. */
  public readonly hookUrl: string;
  /** The GitLab project hook, once added. */
  public hook?: ProjectHook;
  private readonly props: WebhookReceiverProps;
  private readonly tls: boolean;

  constructor(scope: Construct, id: string, props: WebhookReceiverProps) {
    super(scope, id);
    // One without the other would quietly fall back to plain HTTP; no range would open the load balancer to all.
    if (Boolean(props.hostname) !== Boolean(props.certificateArn)) {
      throw new Error(`WebhookReceiver: hostname and certificateArn go together: set both or neither`);
    }
    if (props.sourceRanges.length === 0) throw new Error(`WebhookReceiver: sourceRanges must not be empty`);
    this.props = props;
    const tls = Boolean(props.hostname && props.certificateArn);
    this.tls = tls;
    this.token = new Password(this, "token", { length: 40, special: false });
    new SecretV1(this, "token-secret", {
      metadata: {
        name: WEBHOOK_RECEIVER.secretName,
        namespace: WEBHOOK_RECEIVER.namespace,
        labels: MANAGED_BY_TERRAFORM,
      },
      data: { token: this.token.result },
      dependsOn: props.dependsOn,
    });

    // An NLB from the AWS cloud provider; with a certificate it terminates TLS on 443, TLS 1.2
    // and 1.3 only (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html).
    const annotations: Record<string, string> = { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" };
    if (tls) {
      annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] = props.certificateArn!;
      annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"] = "443";
      annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"] = TLS_POLICY;
    }
    this.service = new ServiceV1(this, "service", {
      metadata: {
        name: "flux-webhook-public",
        namespace: WEBHOOK_RECEIVER.namespace,
        labels: MANAGED_BY_TERRAFORM,
        annotations,
      },
      spec: {
        type: "LoadBalancer",
        selector: NOTIFICATION_CONTROLLER.selector,
        loadBalancerSourceRanges: props.sourceRanges,
        port: [
          {
            name: tls ? "https" : "http",
            port: tls ? 443 : 80,
            targetPort: String(NOTIFICATION_CONTROLLER.receiverPort),
            protocol: "TCP",
          },
        ],
      },
      waitForLoadBalancer: true,
      dependsOn: props.dependsOn,
    });

    this.hookPath = `/hook/${Fn.sha256(`${this.token.result}${WEBHOOK_RECEIVER.name}${WEBHOOK_RECEIVER.namespace}`)}`;
    this.loadBalancerHostname = this.service.status.get(0).loadBalancer.get(0).ingress.get(0).hostname;
    const host = tls ? props.hostname! : this.loadBalancerHostname;
    this.hookUrl = `${tls ? "https" : "http"}://${host}${this.hookPath}`;
  }

  /**
   * The GitLab hook for pushes to the branch and tags. Add it only when `hookUrl` resolves:
   * GitLab disables a hook that keeps failing. `after` is what must exist first (the DNS record).
   */
  public addHook(after: ITerraformDependable[] = []): ProjectHook {
    if (this.hook) throw new Error(`${this.node.path}: the hook is already added`);
    this.hook = new ProjectHook(this, "hook", {
      project: this.props.project,
      name: "flux-receiver",
      description: "Tells Flux to reconcile now instead of at the next poll",
      url: this.hookUrl,
      token: this.token.result,
      pushEvents: true,
      pushEventsBranchFilter: this.props.branch,
      tagPushEvents: true,
      mergeRequestsEvents: false,
      enableSslVerification: this.tls,
      dependsOn: after.length ? after : undefined,
    });
    return this.hook;
  }
}
