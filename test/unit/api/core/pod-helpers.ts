// Shared fixtures for the pod tests: a minimal valid pod and the apiserver's create pipeline.
import { podResource, type Pod, type PodSpec } from '../../../../pkg/api/core/v1/pod.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

export const schema = asNode(podResource.schema);

export function pod(spec: Partial<PodSpec> = {}, extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], ...spec },
    ...extra,
  };
}

/** Schema defaults, then the kind's own defaults, as the apiserver applies them. */
export function defaulted(obj: Pod): Pod {
  applyDefaults(obj, schema);
  podResource.defaults!(obj);
  return obj;
}

/** Every error message a create (or an update from `old`) would report. */
export function errors(obj: Pod, old?: Pod): string[] {
  defaulted(obj);
  const kind = old ? podResource.validateUpdate!(obj, defaulted(old)) : podResource.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}
