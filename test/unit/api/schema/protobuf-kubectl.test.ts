// Real kubectl request bodies decode to the JSON kubectl itself prints for the same command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from '../../../../pkg/api/index.js';
import { asNode, type SchemaNode } from '../../../../pkg/api/schema/dsl.js';
import { decodeKubernetesProtobuf } from '../../../../pkg/api/schema/protobuf.js';
import { encodeKubernetesProtobuf } from '../../../../pkg/api/schema/protobuf-encode.js';
import { kubectlCaptures } from './protobuf-fixtures.js';

const registry = builtinRegistry();

function schemaFor(apiVersion: string, kind: string): SchemaNode | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const def = registry.byKind(group ?? '', version ?? '', kind);
  return def ? asNode(def.schema) : undefined;
}

/** kubectl's JSON writes Go's zero times as null; the wire leaves them out. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, withoutNulls(x)]),
    );
  }
  return v;
}

for (const c of kubectlCaptures) {
  test(`${c.name}: kubectl's protobuf body decodes to the object kubectl prints as JSON`, () => {
    const body = Buffer.from(c.hex, 'hex');
    const decoded = decodeKubernetesProtobuf(body, schemaFor);
    assert.equal(decoded.apiVersion, c.json['apiVersion']);
    assert.equal(decoded.kind, c.json['kind']);
    assert.deepEqual(decoded.object, withoutNulls(c.json));
  });

  test(`${c.name}: our encoding of the decoded object decodes to the same object`, () => {
    const decoded = decodeKubernetesProtobuf(Buffer.from(c.hex, 'hex'), schemaFor);
    const schema = schemaFor(decoded.apiVersion, decoded.kind);
    assert.ok(schema);
    const again = decodeKubernetesProtobuf(encodeKubernetesProtobuf(decoded.object, schema), schemaFor);
    assert.deepEqual(again.object, decoded.object);
  });
}

test('the captures cover every kubectl create subcommand that sends protobuf for our groups', () => {
  const kinds = new Set(kubectlCaptures.map((c) => c.json['kind']));
  for (const k of ['Deployment', 'ConfigMap', 'Secret', 'Namespace', 'Service', 'Job', 'CronJob', 'ResourceQuota', 'PriorityClass', 'PodDisruptionBudget', 'ServiceAccount']) {
    assert.ok(kinds.has(k), `no capture for ${k}`);
  }
});
