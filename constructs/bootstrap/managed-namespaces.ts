import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";

/** Pod Security Admission levels: https://kubernetes.io/docs/concepts/security/pod-security-standards/ */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface ManagedNamespacesProps {
  /** Namespace names. */
  readonly names: string[];
  /** The Pod Security Standard enforced, audited and warned about in them. @default "restricted" */
  readonly podSecurity?: PodSecurityLevel;
  /** Deny all traffic in and out except DNS, so workloads open only what they need. @default true */
  readonly defaultDeny?: boolean;
  /**
   * Another owner labels and annotates them (Flux does its own namespace): Terraform sets no Pod
   * Security labels and no policy, and leaves labels and annotations alone. @default false
   */
  readonly labelsOwnedElsewhere?: boolean;
  /** What must exist first. @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Namespaces Terraform creates and owns, labelled so; Flux deploys into them. Each comes with its
 * guardrails, so no workload lands before them: a Pod Security level and a default-deny
 * NetworkPolicy (enforced by the VPC CNI's network policy agent).
 */
export class ManagedNamespaces extends Construct {
  public readonly namespaces: NamespaceV1[];

  constructor(scope: Construct, id: string, props: ManagedNamespacesProps) {
    super(scope, id);
    const owned = !props.labelsOwnedElsewhere;
    const level = props.podSecurity ?? "restricted";
    const podSecurity = owned
      ? Object.fromEntries(
          ["enforce", "audit", "warn"].flatMap((mode) => [
            [`pod-security.kubernetes.io/${mode}`, level],
            [`pod-security.kubernetes.io/${mode}-version`, "latest"],
          ]),
        )
      : {};
    // Ids are the names, so adding or removing one leaves the others in place.
    this.namespaces = props.names.map((name) => {
      const namespace = new NamespaceV1(this, name, {
        metadata: { name, labels: { ...MANAGED_BY_TERRAFORM, "gitops.flux/owner": "terraform", ...podSecurity } },
        dependsOn: props.dependsOn,
        lifecycle: owned ? undefined : { ignoreChanges: ["metadata[0].labels", "metadata[0].annotations"] },
      });
      if (owned && (props.defaultDeny ?? true)) {
        new NetworkPolicyV1(this, `${name}-default-deny`, {
          metadata: { name: "default-deny", namespace: name, labels: MANAGED_BY_TERRAFORM },
          spec: {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            // Name resolution only: CoreDNS in kube-system.
            egress: [
              {
                to: [
                  {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                  },
                ],
                ports: [
                  { port: "53", protocol: "UDP" },
                  { port: "53", protocol: "TCP" },
                ],
              },
            ],
          },
          dependsOn: [namespace],
        });
      }
      return namespace;
    });
  }
}
