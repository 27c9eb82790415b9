// The wire tables must describe exactly our schemas: every field of every struct reachable from a
// served kind has a protobuf number, and every number names a schema field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from '../../../../pkg/api/index.js';
import { DeleteOptionsSchema, StatusSchema } from '../../../../pkg/api/meta/v1.js';
import { EvictionSchema } from '../../../../pkg/api/policy/v1/eviction.js';
import { asNode, DefinitionName, type SchemaNode } from '../../../../pkg/api/schema/dsl.js';
import { kindOf } from '../../../../pkg/api/schema/protobuf.js';
import { mergeWire, wire, wireFields, wireGroups } from '../../../../pkg/api/wire.js';

const inlinePrefix = '...';

/** Top-level objects: their apiVersion and kind travel in the envelope, not in the message. */
const roots: SchemaNode[] = [
  ...builtinRegistry()
    .all()
    .map((d) => asNode(d.schema)),
  asNode(EvictionSchema),
  asNode(DeleteOptionsSchema),
  asNode(StatusSchema),
];
const topLevel = new Set(roots.map((r) => r[DefinitionName]));

function reachableStructs(): Map<string, SchemaNode> {
  const out = new Map<string, SchemaNode>();
  const visit = (n: SchemaNode | undefined): void => {
    if (!n) return;
    const name = n[DefinitionName];
    if (name !== undefined && n.properties) {
      if (out.has(name)) return;
      out.set(name, n);
    }
    for (const c of Object.values(n.properties ?? {})) visit(c);
    visit(n.items);
    if (typeof n.additionalProperties === 'object') visit(n.additionalProperties);
  };
  for (const r of roots) visit(r);
  return out;
}

const structs = reachableStructs();

/** JSON field → number path, following embedded structs. */
function numbered(def: string, seen: readonly string[] = []): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [field, num] of Object.entries(wireFields[def] ?? {})) {
    if (!field.startsWith(inlinePrefix)) {
      out.set(field, [num]);
      continue;
    }
    const inner = field.slice(inlinePrefix.length);
    assert.ok(!seen.includes(inner), `${def} embeds ${inner} in a cycle`);
    for (const [f, path] of numbered(inner, [...seen, def])) out.set(f, [num, ...path]);
  }
  return out;
}

const inlineTargets = new Map<string, string[]>();
for (const [def, table] of Object.entries(wireFields)) {
  for (const field of Object.keys(table)) {
    if (field.startsWith(inlinePrefix)) {
      const inner = field.slice(inlinePrefix.length);
      inlineTargets.set(inner, [...(inlineTargets.get(inner) ?? []), def]);
    }
  }
}

test('the schemas reach a plausible number of named structs (the walk itself works)', () => {
  assert.ok(structs.size > 200, `only ${structs.size} structs reached`);
  assert.ok(structs.has('io.k8s.api.core.v1.PodSpec'));
  assert.ok(structs.has('io.k8s.api.policy.v1.Eviction'));
});

test('every field of every reachable struct has a protobuf field number', () => {
  const missing: string[] = [];
  for (const [def, node] of structs) {
    if (!wireFields[def]) {
      missing.push(`${def} (no table)`);
      continue;
    }
    const nums = numbered(def);
    for (const field of Object.keys(node.properties ?? {})) {
      if (nums.has(field)) continue;
      if (topLevel.has(def) && (field === 'apiVersion' || field === 'kind')) continue;
      missing.push(`${def}.${field}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('apiVersion and kind go without a number only on top-level objects', () => {
  const odd: string[] = [];
  for (const [def, node] of structs) {
    const nums = numbered(def);
    for (const f of ['apiVersion', 'kind']) {
      if (node.properties?.[f] && !nums.has(f) && !topLevel.has(def)) odd.push(`${def}.${f}`);
      if (nums.has(f) && topLevel.has(def)) odd.push(`${def}.${f} is numbered but travels in the envelope`);
    }
  }
  assert.deepEqual(odd, []);
});

test('every number in the tables names a field of the schema', () => {
  const stray: string[] = [];
  for (const [def, table] of Object.entries(wireFields)) {
    const node = structs.get(def);
    const parents = inlineTargets.get(def) ?? [];
    if (!node && parents.length === 0) {
      stray.push(`${def} (table for a definition no served kind reaches)`);
      continue;
    }
    // A table is checked against its own schema and against every struct that embeds it.
    const owners = [...(node ? [node] : []), ...parents.map((p) => structs.get(p)).filter((n): n is SchemaNode => n !== undefined)];
    for (const field of Object.keys(table)) {
      if (field.startsWith(inlinePrefix)) {
        if (!wireFields[field.slice(inlinePrefix.length)]) stray.push(`${def}.${field} (no table for the embedded struct)`);
        continue;
      }
      for (const owner of owners) {
        if (!owner.properties?.[field]) stray.push(`${def}.${field} (not a field of ${owner[DefinitionName]})`);
      }
    }
  }
  assert.deepEqual(stray, []);
});

test('no two fields of one message share a number', () => {
  const clashes: string[] = [];
  for (const [def, table] of Object.entries(wireFields)) {
    const seen = new Map<number, string>();
    for (const [field, num] of Object.entries(table)) {
      if (!Number.isInteger(num) || num < 1 || num > 0x1fffffff) clashes.push(`${def}.${field}: ${num} is not a field number`);
      const other = seen.get(num);
      if (other !== undefined) clashes.push(`${def}: ${other} and ${field} both ${num}`);
      seen.set(num, field);
    }
  }
  assert.deepEqual(clashes, []);
});

test('keepZero lists only numbered scalar fields of the schema', () => {
  const bad: string[] = [];
  const scalar = new Set(['string', 'bytes', 'int32', 'int64', 'bool', 'double']);
  for (const [def, fields] of Object.entries(wire.keepZero)) {
    const node = structs.get(def);
    const nums = numbered(def);
    for (const f of fields) {
      const child = node?.properties?.[f];
      if (!child) bad.push(`${def}.${f} (no such field)`);
      else if (!scalar.has(kindOf(child))) bad.push(`${def}.${f} (${kindOf(child)} is not a scalar)`);
      else if (!nums.has(f)) bad.push(`${def}.${f} (no number)`);
    }
  }
  assert.deepEqual(bad, []);
});

test('no reachable schema nests lists or maps in a way protobuf cannot carry', () => {
  const bad: string[] = [];
  for (const [def, node] of structs) {
    for (const [field, child] of Object.entries(node.properties ?? {})) {
      const k = kindOf(child);
      if (k === 'array' && child.items && (kindOf(child.items) === 'array' || kindOf(child.items) === 'map')) bad.push(`${def}.${field}`);
      const v = typeof child.additionalProperties === 'object' ? child.additionalProperties : undefined;
      if (k === 'map' && v && (kindOf(v) === 'map' || kindOf(v) === 'array')) bad.push(`${def}.${field}`);
    }
  }
  assert.deepEqual(bad, []);
});

const mergeCases: { name: string; run: () => void; error?: RegExp }[] = [
  { name: 'the built-in groups merge without a definition described twice', run: () => void mergeWire(wireGroups) },
  {
    name: 'merging two tables for one definition fails',
    run: () => void mergeWire([{ fields: { a: { x: 1 } }, keepZero: {} }, { fields: { a: { y: 2 } }, keepZero: {} }]),
    error: /protobuf field numbers of a are defined twice/,
  },
];
for (const tc of mergeCases) {
  test(tc.name, () => {
    if (tc.error) assert.throws(tc.run, tc.error);
    else assert.doesNotThrow(tc.run);
  });
}
