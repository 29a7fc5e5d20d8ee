import { appInfrastructureName } from "../../config/names";
import { APP_NAME, type AppSettings } from "../../config/schema-apps";

/**
 * Reloader's annotation: restart the workload when one of the named ConfigMaps changes.
 * https://github.com/stakater/Reloader (README, "Configmap" annotations)
 */
export const RELOADER_CONFIGMAP_ANNOTATION = "configmap.reloader.stakater.com/reload";

export interface GeneratedWorkloadOptions {
  /** The Reloader add-on runs: a change of the app's infrastructure values restarts its pods. @default false */
  readonly reloader?: boolean;
}

/**
 * An app's workload built from its typed settings (`manifests: generated`): a Deployment hardened
 * as the Pod Security "restricted" profile and the EKS Best Practices Guide ask (like the shipped
 * nginx), its Service, and the NetworkPolicy opening its port.
 */
export function generatedWorkload(name: string, app: AppSettings, options: GeneratedWorkloadOptions = {}): object[] {
  // The name becomes the Deployment's, the Service's (a DNS-1035 label) and the container's.
  if (!APP_NAME.test(name)) throw new Error(`generatedWorkload: "${name}" must be an app name (a DNS label of 1-40)`);
  const labels = { "app.kubernetes.io/name": name };
  const metadata = { name, namespace: app.namespace, labels };
  // The app's infrastructure values, as environment variables from the ConfigMap Terraform owns
  // (constructs/bootstrap/app-infrastructure.ts); the GitOps files wait for it, so it exists first.
  const infrastructure = app.infrastructureValues.length > 0 ? appInfrastructureName(name) : undefined;
  const restartOnChange =
    infrastructure && options.reloader ? { annotations: { [RELOADER_CONFIGMAP_ANNOTATION]: infrastructure } } : {};
  const probe = (periodSeconds: number) => ({ httpGet: { path: app.healthPath, port: "http" }, periodSeconds });
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { ...metadata, ...restartOnChange },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: app.runAsUser,
            runAsGroup: app.runAsUser,
            fsGroup: app.runAsUser,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name,
              // The environment overlay's image-tag Component sets the ECR image and tag.
              image: name,
              ports: [{ name: "http", containerPort: app.port }],
              ...(infrastructure ? { envFrom: [{ configMapRef: { name: infrastructure } }] } : {}),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              readinessProbe: probe(5),
              livenessProbe: probe(20),
              resources: { requests: { cpu: app.cpu, memory: app.memory }, limits: { memory: app.memory } },
              volumeMounts: app.writablePaths.map((mountPath, i) => ({ name: `writable-${i}`, mountPath })),
            },
          ],
          volumes: app.writablePaths.map((_p, i) => ({ name: `writable-${i}`, emptyDir: {} })),
        },
      },
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata,
    spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
  };
  // The namespace denies all traffic by default (Terraform's policy): open the app's port to the cluster's pods.
  const policy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `${name}-allow-http`, namespace: app.namespace },
    spec: {
      podSelector: { matchLabels: labels },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: "http", protocol: "TCP" }] }],
    },
  };
  return [deployment, service, policy];
}
