// Validates rendered Kubernetes manifests (kubectl kustomize deploy/kubernetes/overlays/NAME):
//   kubectl kustomize deploy/kubernetes/overlays/local | node tools/kubernetes/validate.mjs --overlay local [FILE]
// 1. every object against its API schema (kubernetes-models and the CRD models), strictly: a field
//    the schema does not name (a typo, a misplaced field) fails, which the models alone ignore;
// 2. the project's rules: probes, resources, security context, PodDisruptionBudgets, image tags;
// 3. the NetworkPolicies: a default deny, and allowed edges equal to EXPECTED_EDGES[overlay].
// Prints one line with counts; on failure every problem, and exits 1.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as core from "kubernetes-models/v1";
import * as apps from "kubernetes-models/apps/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as autoscaling from "kubernetes-models/autoscaling/v2";
import * as networking from "kubernetes-models/networking.k8s.io/v1";
import * as rbac from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as discovery from "kubernetes-models/discovery.k8s.io/v1";
import * as monitoring from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import * as externalSecrets from "@kubernetes-models/external-secrets/external-secrets.io/v1";
import * as keda from "@kubernetes-models/keda/keda.sh/v1alpha1";

const MODULES = {
  v1: core,
  "apps/v1": apps,
  "policy/v1": policy,
  "autoscaling/v2": autoscaling,
  "networking.k8s.io/v1": networking,
  "rbac.authorization.k8s.io/v1": rbac,
  "discovery.k8s.io/v1": discovery,
  "monitoring.coreos.com/v1": monitoring,
  "external-secrets.io/v1": externalSecrets,
  "keda.sh/v1alpha1": keda,
};

// Allowed traffic, one string per edge: "SOURCE -> DESTINATION:PORT/PROTOCOL", where a pod is
// its app.kubernetes.io/name, "ns:NAME" a namespace, "ns:NAME/pod:K=V" pods of one, "ip:CIDR"
// an address block (with "!EXCEPT,..."), "*" any pod / anywhere. Ingress rules give
// "in:" edges, egress rules "out:" edges. Adding or removing a policy edge fails until this list
// says so.
const BASE_EDGES = [
  "in: ns:ingress-nginx -> web:8080/TCP",
  "in: ns:ingress-nginx -> project-service:8081/TCP",
  "in: ns:ingress-nginx -> commit-service:8082/TCP",
  "in: commit-service -> project-service:8081/TCP",
  "in: ns:monitoring -> project-service:9081/TCP",
  "in: ns:monitoring -> commit-service:9082/TCP",
  "in: project-service -> rabbitmq:5672/TCP",
  "in: commit-service -> rabbitmq:5672/TCP",
  "in: rabbitmq -> rabbitmq:4369/TCP",
  "in: rabbitmq -> rabbitmq:25672/TCP",
  "in: ns:monitoring -> rabbitmq:15692/TCP",
  "out: * -> ns:kube-system/pod:k8s-app=kube-dns:53/UDP",
  "out: * -> ns:kube-system/pod:k8s-app=kube-dns:53/TCP",
  "out: commit-service -> project-service:8081/TCP",
  "out: project-service -> rabbitmq:5672/TCP",
  "out: commit-service -> rabbitmq:5672/TCP",
  "out: rabbitmq -> rabbitmq:4369/TCP",
  "out: rabbitmq -> rabbitmq:25672/TCP",
  // peer discovery: the Kubernetes API, whose address depends on the cluster
  "out: rabbitmq -> *:443/TCP",
  "out: rabbitmq -> *:6443/TCP",
  "out: commit-service -> ip:0.0.0.0/0!10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16,127.0.0.0/8:443/TCP",
];
const PRODUCTION_EDGES = [
  ...BASE_EDGES,
  // RDS: the database subnets (its address moves on a Multi-AZ failover)
  "out: project-service -> ip:10.0.2.0/24:5432/TCP",
  "out: commit-service -> ip:10.0.3.20/32:27017/TCP",
];
const EXPECTED_EDGES = {
  local: [
    ...BASE_EDGES,
    "in: project-service -> postgres:5432/TCP",
    "in: commit-service -> mongo:27017/TCP",
    "out: project-service -> postgres:5432/TCP",
    "out: commit-service -> mongo:27017/TCP",
  ],
  production: PRODUCTION_EDGES,
  "production-keda": [...PRODUCTION_EDGES, "in: ns:keda -> rabbitmq:15672/TCP"],
};

// The Java services: their probes go to Spring Boot's health groups on the management port.
const ACTUATOR_SERVICES = { "project-service": 9081, "commit-service": 9082 };
// Kinds that must carry no namespace.
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterSecretStore", "ClusterRole", "ClusterRoleBinding"]);

const problems = [];
const fail = (object, message) => problems.push(`${object ? `${object.kind}/${object.metadata?.name}: ` : ""}${message}`);

// ---- arguments and input
const args = process.argv.slice(2);
const overlayIndex = args.indexOf("--overlay");
if (overlayIndex < 0 || !EXPECTED_EDGES[args[overlayIndex + 1]]) {
  console.error(`usage: validate.mjs --overlay ${Object.keys(EXPECTED_EDGES).join("|")} [FILE]  (stdin without FILE)`);
  process.exit(2);
}
const overlay = args[overlayIndex + 1];
const file = args.filter((_, index) => index !== overlayIndex && index !== overlayIndex + 1)[0];
const text = readFileSync(file ?? 0, "utf8");
const objects = [];
for (const doc of parseAllDocuments(text)) {
  if (doc.errors.length) {
    fail(null, `YAML: ${doc.errors.map((error) => error.message).join("; ")}`);
    continue;
  }
  const value = doc.toJS();
  if (value === null) continue;
  // kustomize folds long base64 values over lines, which the API server's decoder skips
  if (value.kind === "Secret" && value.apiVersion === "v1") {
    for (const key of Object.keys(value.data ?? {})) value.data[key] = String(value.data[key]).replace(/\s+/g, "");
  }
  objects.push(value);
}
if (objects.length === 0) fail(null, "no objects in the input");

// ---- 1. schemas, strictly
// The models' validators (compiled JSON schemas) ignore fields they do not know. To catch those,
// the object is validated through a Proxy that records which keys the validator reads: the
// compiled schema reads every property it defines by name, and enumerates only objects whose
// schema is a map (additionalProperties: labels, data, ...). A key never read of an object never
// enumerated is one the schema does not have.
function tracked(root) {
  const seen = new Map(); // target object -> {read: Set, enumerated: bool}
  const wrap = (value) => {
    if (value === null || typeof value !== "object") return value;
    if (!seen.has(value)) seen.set(value, { read: new Set(), enumerated: false });
    const state = seen.get(value);
    return new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === "string") state.read.add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === "string") state.read.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        state.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
  };
  return { proxy: wrap(root), seen };
}

function unknownFields(root, seen) {
  const found = [];
  const walk = (value, path) => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`));
      return;
    }
    const state = seen.get(value);
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      // an object the validator never reached lies under a field already reported, or is free-form
      if (state && !state.enumerated && !state.read.has(key)) {
        found.push(childPath);
        continue;
      }
      walk(child, childPath);
    }
  };
  walk(root, "");
  return found;
}

const counts = {};
for (const object of objects) {
  const model = MODULES[object.apiVersion]?.[object.kind];
  if (typeof model !== "function" || model.kind !== object.kind) {
    fail(object, `no model for ${object.apiVersion} ${object.kind}`);
    continue;
  }
  counts[object.kind] = (counts[object.kind] ?? 0) + 1;
  const { proxy, seen } = tracked(object);
  try {
    model.prototype.validate.call(proxy);
  } catch (error) {
    fail(object, `schema: ${error.message}`);
    continue;
  }
  for (const path of unknownFields(object, seen)) fail(object, `unknown field ${path}`);
  const namespaced = object.metadata?.namespace !== undefined;
  if (CLUSTER_SCOPED.has(object.kind) === namespaced) {
    fail(object, namespaced ? "cluster-scoped but has a namespace" : "has no namespace");
  }
}

// ---- 2. workloads
const workloads = objects.filter((object) => ["Deployment", "StatefulSet"].includes(object.kind));
const budgets = objects.filter((object) => object.kind === "PodDisruptionBudget");
const selects = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels?.[key] === value) &&
  (selector?.matchExpressions ?? []).length === 0 && Object.keys(selector?.matchLabels ?? {}).length > 0;

for (const workload of workloads) {
  const pod = workload.spec?.template?.spec ?? {};
  const labels = workload.spec?.template?.metadata?.labels;
  const name = workload.metadata.name;
  if (!budgets.some((budget) => selects(budget.spec?.selector, labels))) fail(workload, "no PodDisruptionBudget selects it");
  const podSecurity = pod.securityContext ?? {};
  if (podSecurity.seccompProfile?.type !== "RuntimeDefault") fail(workload, "pod seccompProfile is not RuntimeDefault");
  const mountsToken = pod.automountServiceAccountToken !== false;
  if (mountsToken !== (name === "rabbitmq")) {
    fail(workload, mountsToken ? "mounts a ServiceAccount token" : "needs its token (peer discovery)");
  }
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const where = `container ${container.name}:`;
    const image = container.image ?? "";
    const tag = image.includes("@") ? "digest" : image.slice(image.lastIndexOf("/") + 1).split(":")[1];
    if (!tag) fail(workload, `${where} image ${image} has no tag`);
    else if (tag === "latest") fail(workload, `${where} image ${image} uses :latest`);
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (container.resources?.[kind]?.[resource] === undefined) fail(workload, `${where} no ${resource} ${kind.slice(0, -1)}`);
      }
    }
    const security = container.securityContext ?? {};
    const runAsNonRoot = security.runAsNonRoot ?? podSecurity.runAsNonRoot;
    const runAsUser = security.runAsUser ?? podSecurity.runAsUser;
    if (runAsNonRoot !== true) fail(workload, `${where} runAsNonRoot is not true`);
    if (!(runAsUser > 0)) fail(workload, `${where} no explicit non-zero runAsUser`);
    if (security.readOnlyRootFilesystem !== true) fail(workload, `${where} root filesystem is writable`);
    if (security.allowPrivilegeEscalation !== false) fail(workload, `${where} allowPrivilegeEscalation is not false`);
    if (JSON.stringify(security.capabilities?.drop) !== '["ALL"]' || security.capabilities?.add?.length) {
      fail(workload, `${where} capabilities are not drop [ALL]`);
    }
    if ((pod.initContainers ?? []).includes(container)) continue;
    for (const probe of ["livenessProbe", "readinessProbe"]) {
      if (!container[probe]) fail(workload, `${where} no ${probe}`);
    }
    const managementPort = ACTUATOR_SERVICES[name];
    if (managementPort) {
      const port = (container.ports ?? []).find((candidate) => candidate.name === "management")?.containerPort;
      if (port !== managementPort) fail(workload, `${where} management port is ${port}, not ${managementPort}`);
      for (const [probe, path] of [["livenessProbe", "/actuator/health/liveness"], ["readinessProbe", "/actuator/health/readiness"],
        ["startupProbe", "/actuator/health/liveness"]]) {
        const get = container[probe]?.httpGet;
        if (get?.path !== path || (get.port !== "management" && get.port !== managementPort)) {
          fail(workload, `${where} ${probe} is not httpGet ${path} on the management port`);
        }
      }
    }
  }
}

// ---- 3. network policies
const policies = objects.filter((object) => object.kind === "NetworkPolicy");
const describeSelector = (selector) => {
  const entries = Object.entries(selector?.matchLabels ?? {});
  if ((selector?.matchExpressions ?? []).length) return `?expressions:${JSON.stringify(selector.matchExpressions)}`;
  if (entries.length === 0) return "*";
  if (entries.length === 1 && entries[0][0] === "app.kubernetes.io/name") return entries[0][1];
  return entries.map(([key, value]) => `${key}=${value}`).join(",");
};
const describePeer = (peer) => {
  if (peer.ipBlock) return `ip:${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? `!${peer.ipBlock.except.join(",")}` : ""}`;
  if (peer.namespaceSelector) {
    const labels = peer.namespaceSelector.matchLabels ?? {};
    const namespace = labels["kubernetes.io/metadata.name"] ?? `?${JSON.stringify(peer.namespaceSelector)}`;
    if (!peer.podSelector || describeSelector(peer.podSelector) === "*") return `ns:${namespace}`;
    return `ns:${namespace}/pod:${describeSelector(peer.podSelector)}`;
  }
  return describeSelector(peer.podSelector);
};
const edges = new Set();
let defaultDeny = false;
for (const networkPolicy of policies) {
  const spec = networkPolicy.spec ?? {};
  const target = describeSelector(spec.podSelector);
  const types = spec.policyTypes ?? [];
  if (target === "*" && types.includes("Ingress") && types.includes("Egress") && !spec.ingress?.length && !spec.egress?.length) {
    defaultDeny = true;
  }
  for (const [direction, rules, peersKey] of [["in", spec.ingress ?? [], "from"], ["out", spec.egress ?? [], "to"]]) {
    for (const rule of rules) {
      const peers = rule[peersKey]?.length ? rule[peersKey].map(describePeer) : ["*"];
      const ports = rule.ports?.length ? rule.ports : [{ protocol: "TCP", port: "*" }, { protocol: "UDP", port: "*" }];
      for (const peer of peers) {
        for (const port of ports) {
          const to = `:${port.port ?? "*"}/${port.protocol ?? "TCP"}`;
          edges.add(direction === "in" ? `in: ${peer} -> ${target}${to}` : `out: ${target} -> ${peer}${to}`);
        }
      }
    }
  }
}
if (!defaultDeny) fail(null, "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)");
const expected = new Set(EXPECTED_EDGES[overlay]);
for (const edge of edges) if (!expected.has(edge)) fail(null, `network edge not expected for ${overlay}: ${edge}`);
for (const edge of expected) if (!edges.has(edge)) fail(null, `network edge missing in ${overlay}: ${edge}`);

// ---- report
if (problems.length) {
  for (const problem of problems) console.error(`validate ${overlay}: ${problem}`);
  console.error(`validate ${overlay}: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`validate ${overlay}: ${objects.length} objects valid (${Object.keys(counts).length} kinds), ` +
  `${workloads.length} workloads checked, ${policies.length} network policies, ${edges.size} edges as expected`);
