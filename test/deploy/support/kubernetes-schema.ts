/**
 * Validates Kubernetes objects against the API's own OpenAPI schemas (as
 * packaged by kubernetes-models), for the kinds the deployment uses.
 */
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';

interface Validatable {
  validate(): void;
}
type Model = new (data: never) => Validatable;

const MODELS: Record<string, Model> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/DaemonSet': DaemonSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** Throws naming the object and the schema violation. */
export function validateKubernetesObject(object: Record<string, unknown>): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const name = (object.metadata as { name?: string } | undefined)?.name;
  const model = MODELS[key];
  if (!model)
    throw new Error(`${key} ${name}: no schema here for this kind (add it to kubernetes-schema.ts)`);
  try {
    new model(object as never).validate();
  } catch (error) {
    throw new Error(`${key} ${name}: ${(error as Error).message}`);
  }
}
