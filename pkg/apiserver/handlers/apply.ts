// Server-side apply (application/apply-patch+yaml): field managers, conflicts, create-on-apply.
import type { KubeObject } from '../../api/registry.js';
import { apiVersionOf } from '../../api/registry.js';
import { badRequest, invalid, StatusError } from '../../api/errors.js';
import { asNode } from '../../api/schema/dsl.js';
import { applyPatch, ApplyConflictError } from '../../api/patch/apply.js';
import { PatchError } from '../../api/patch/errors.js';
import type { ServerContext } from './context.js';
import { createObject, updateObject, type Request } from './resource.js';
import { decodeRequestObject, expectedTypeOf, reconcileNamespace, type FieldValidation, type UpdateTarget } from './pipeline.js';
import { addWarning, queryBool } from '../http.js';

function toStatus(err: unknown): unknown {
  if (err instanceof ApplyConflictError) {
    return new StatusError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: err.message,
      reason: 'Conflict',
      details: { causes: err.causes },
      code: 409,
    });
  }
  if (err instanceof PatchError) {
    return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.statusMessage, reason: err.reason, code: err.code });
  }
  return err;
}

export async function serverSideApply(
  ctx: ServerContext,
  r: Request,
  patch: unknown,
  target: UpdateTarget,
  dryRun: boolean,
  mode: FieldValidation,
): Promise<{ object: KubeObject; created: boolean }> {
  const manager = r.url.searchParams.get('fieldManager') ?? '';
  if (manager === '') {
    throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' }]);
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('error decoding YAML: the apply configuration must be an object');
  const force = queryBool(r.url.searchParams, 'force');
  const schema = asNode(r.def.schema);
  const apiVersion = apiVersionOf(r.def);
  const subresource = target === 'status' ? 'status' : '';
  const warnings = new Set<string>();
  const build = (live: KubeObject | null): KubeObject => {
    let out;
    try {
      out = applyPatch({ live, applied: patch, manager, force, schema, apiVersion, now: ctx.now(), subresource });
    } catch (err) {
      throw toStatus(err);
    }
    const decoded = decodeRequestObject(out.object, expectedTypeOf(r.def), mode);
    for (const w of decoded.warnings) warnings.add(w);
    if (decoded.obj.metadata?.name !== r.info.name) {
      throw badRequest(`the name of the object (${decoded.obj.metadata?.name ?? ''}) does not match the name on the URL (${r.info.name})`);
    }
    return decoded.obj;
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await r.store.getStored(r.info.namespace, r.info.name);
    try {
      if (!existing) {
        const obj = build(null);
        reconcileNamespace(obj, r.def, r.info.namespace);
        const created = await createObject(ctx, { def: r.def, store: r.store, obj, dryRun });
        for (const w of warnings) addWarning(r.res, w);
        return { object: created, created: true };
      }
      const updated = await updateObject(ctx, {
        def: r.def,
        store: r.store,
        namespace: r.info.namespace,
        name: r.info.name,
        compute: (current) => {
          const obj = build(current);
          obj.metadata = { ...obj.metadata, resourceVersion: current.metadata?.resourceVersion };
          return obj;
        },
        target,
        dryRun,
        pinnedByClient: false,
      });

      for (const w of warnings) addWarning(r.res, w);
      return { object: updated, created: false };
    } catch (err) {
      // Created or deleted by someone else meanwhile: start over from the new state.
      if (err instanceof StatusError && ((err.code === 409 && err.reason === 'AlreadyExists') || (err.code === 404 && existing))) continue;
      throw err;
    }
  }
  throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the object kept changing during apply; try again', reason: 'Conflict', code: 409 });
}
