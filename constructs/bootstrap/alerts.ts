import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ITerraformDependable, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { Document } from "yaml";
import type { AlertsSettings } from "../../config/schema-secrets";
import { ALERTS, API_VERSIONS, FLUX_NAMESPACE } from "../flux/api";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";
import type { RenderedFile } from "./gitops-files";

/** The Terraform variable the webhook URL comes from: `TF_VAR_flux_alert_address` in the deploying environment. */
export const ALERT_ADDRESS_VARIABLE = "flux_alert_address";

export interface AlertsProps {
  /** Provider type, channel, severity and sources, as configured. */
  readonly settings: AlertsSettings;
  /** The cluster's folder in the GitOps repository (`clusters/<name>`): the files go to its `alerts/`. */
  readonly clusterPath: string;
  /** The cluster name, shown in each alert. */
  readonly clusterName: string;
  /** What the Secret waits for (Flux's namespace). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Flux's alerts for failed reconciliations: a notification Provider and an Alert, committed to
 * the cluster's folder, and the Secret with the webhook URL (`address`), which Terraform creates
 * from a sensitive variable: the URL is neither in Git, nor in the configuration, nor in the
 * synthesized JSON (only `var.flux_alert_address` is). Changing the variable and applying again
 * rotates it. https://fluxcd.io/flux/components/notification/providers/
 */
export class Alerts extends Construct {
  public readonly address: TerraformVariable;
  public readonly secret: SecretV1;
  /** The Provider and the Alert, for GitopsFiles' `generated`. */
  public readonly files: RenderedFile[];

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    this.address = new TerraformVariable(this, "address", {
      type: "string",
      sensitive: true,
      nullable: false,
      // Empty, so that an unset variable fails the validation below with its reason rather than
      // with Terraform's generic "No value for required variable".
      default: "",
      description: `Webhook URL Flux posts alerts to (${props.settings.type}); set TF_VAR_${ALERT_ADDRESS_VARIABLE}`,
      validation: [
        {
          condition: `\${length(regexall("^https?://[^[:space:]]+$", var.${ALERT_ADDRESS_VARIABLE})) > 0}`,
          errorMessage:
            `alerts.enabled is true: set TF_VAR_${ALERT_ADDRESS_VARIABLE} to the ${props.settings.type} ` +
            `webhook URL (http:// or https://) in the deploying environment, a masked, protected CI/CD variable in ` +
            `pipelines (README "Alerts").`,
        },
      ],
    });
    // The name people set (TF_VAR_flux_alert_address), not one derived from the construct path.
    this.address.overrideLogicalId(ALERT_ADDRESS_VARIABLE);
    this.secret = new SecretV1(this, "secret", {
      metadata: { name: ALERTS.secretName, namespace: FLUX_NAMESPACE, labels: MANAGED_BY_TERRAFORM },
      data: { address: this.address.stringValue },
      dependsOn: props.dependsOn,
    });
    this.files = [
      file(props, "provider.yaml", "The endpoint Flux posts alerts to; its URL is in the Terraform-owned Secret.", {
        apiVersion: API_VERSIONS.Provider,
        kind: "Provider",
        metadata: { name: ALERTS.providerName, namespace: FLUX_NAMESPACE },
        spec: {
          type: props.settings.type,
          ...(props.settings.channel ? { channel: props.settings.channel } : {}),
          secretRef: { name: ALERTS.secretName },
        },
      }),
      file(props, "alert.yaml", `Flux events of ${props.clusterName} at severity ${props.settings.eventSeverity}.`, {
        apiVersion: API_VERSIONS.Alert,
        kind: "Alert",
        metadata: { name: ALERTS.alertName, namespace: FLUX_NAMESPACE },
        spec: {
          providerRef: { name: ALERTS.providerName },
          eventSeverity: props.settings.eventSeverity,
          eventSources: props.settings.sources.map((kind) => ({ kind, name: "*", namespace: FLUX_NAMESPACE })),
          eventMetadata: { cluster: props.clusterName },
        },
      }),
    ];
  }
}

/** One generated file: YAML written by the library (each value quoted as YAML needs), with a comment. */
function file(props: AlertsProps, name: string, comment: string, object: object): RenderedFile {
  const doc = new Document(object);
  doc.commentBefore = ` ${comment} Generated from the configuration's alerts block.`;
  return {
    source: `features/alerts/${name}`,
    target: `${props.clusterPath}/alerts/${name}`,
    content: doc.toString({ lineWidth: 0 }),
    fluxOwned: false,
  };
}
