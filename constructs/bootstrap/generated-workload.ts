import { APP_NAME, type AppSettings } from "../../config/schema-apps";

/**
 * An app's workload built from its typed settings (`manifests: generated`): a Deployment hardened
 * as the Pod Security "restricted" profile and the EKS Best Practices Guide ask (like the shipped
 * nginx), its Service, and the NetworkPolicy opening its port.
 */
export function generatedWorkload(name: string, app: AppSettings): object[] {
  // The name becomes the Deployment's, the Service's (a DNS-1035 label) and the container's.
  if (!APP_NAME.test(name)) throw new Error(`generatedWorkload: "${name}" must be an app name (a DNS label of 1-40)`);
  const labels = { "app.kubernetes.io/name": name };
  const metadata = { name, namespace: app.namespace, labels };
  const probe = (periodSeconds: number) => ({ httpGet: { path: app.healthPath, port: "http" }, periodSeconds });
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata,
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
