// Kubernetes API schemas (kubernetes-models) for the kinds our manifests use. An object of any
// other kind has no schema here and is reported, so a new kind cannot slip through unchecked.
import { ConfigMap, Namespace, PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1';
import type { K8sObject } from './render.ts';

const models = [
  ConfigMap,
  Namespace,
  PersistentVolumeClaim,
  Service,
  ServiceAccount,
  Deployment,
  CronJob,
  NetworkPolicy,
  PodDisruptionBudget,
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
  StorageClass,
];

/** Undefined when the object is valid; else what is wrong with it. */
export function schemaProblem(o: K8sObject): string | undefined {
  const Model = models.find((m) => m.apiVersion === o.apiVersion && m.kind === o.kind);
  if (!Model) return `no schema for ${o.apiVersion} ${o.kind}`;
  try {
    new Model(o as never).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
