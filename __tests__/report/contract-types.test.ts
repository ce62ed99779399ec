// The contract's two directions. The TypeScript types are z.infer of the zod schemas in
// src/report/contract.ts, so "the types" are the zod shapes: this walks each zod object next to its place in
// docs/report-schema.json and checks the same property set, the same required set, and
// `additionalProperties: false` (the schema allows no field the types do not have). Produced reports
// validating against the schemas is report-schema.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { z } from 'zod';
import { ComparisonSchema, GateDecisionSchema, ParityResultSchema, ReportSchema } from '../../src/report/contract.js';
import { reportJsonSchema } from '../../src/report/schema.js';
import { deref, itemSchema, type JsonSchema, objectSchema } from './json-schema-walk.js';

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; valueType?: z.ZodType; options?: z.ZodType[]; catchall?: z.ZodType };
const def = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Optional, nullable, default and readonly wrappers peeled off. */
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const d = def(cur);
    if (!['optional', 'nullable', 'default', 'readonly', 'prefault'].includes(d.type) || !d.innerType) return cur;
    cur = d.innerType;
  }
  return cur;
}

/** Absent allowed on input (the JSON is written as input: defaults may be absent). */
const optionalOnInput = (s: z.ZodType): boolean => {
  const t = def(s).type;
  if (t === 'optional' || t === 'default') return true;
  return t === 'nullable' || t === 'readonly' ? optionalOnInput(def(s).innerType!) : false;
};

function compareShapes(doc: JsonSchema, zs: z.ZodType, js: JsonSchema, path: string, problems: string[], seen: Set<z.ZodType>, objects: { n: number }): void {
  const inner = unwrap(zs);
  const d = def(inner);
  if (d.type === 'object') {
    if (seen.has(inner)) return;
    seen.add(inner);
    objects.n++;
    const obj = objectSchema(doc, js);
    if (!obj) return void problems.push(`${path}: an object in the contract, not in the JSON schema`);
    if (obj.additionalProperties !== false) problems.push(`${path}: the JSON schema admits undeclared fields`);
    if (!d.catchall || def(d.catchall).type !== 'never') problems.push(`${path}: the zod object is not strict`);
    const zKeys = Object.keys(d.shape!).sort();
    const jProps = (obj.properties ?? {}) as Record<string, JsonSchema>;
    assert.ok(zKeys.length > 0, path);
    if (JSON.stringify(zKeys) !== JSON.stringify(Object.keys(jProps).sort())) problems.push(`${path}: contract fields ${zKeys.join(',')} ≠ JSON schema ${Object.keys(jProps).sort().join(',')}`);
    const zReq = zKeys.filter((k) => !optionalOnInput(d.shape![k]!));
    const jReq = [...((obj.required ?? []) as string[])].sort();
    if (JSON.stringify(zReq) !== JSON.stringify(jReq)) problems.push(`${path}: required ${zReq.join(',')} ≠ JSON schema ${jReq.join(',')}`);
    for (const k of zKeys) if (jProps[k]) compareShapes(doc, d.shape![k]!, jProps[k]!, `${path}.${k}`, problems, seen, objects);
  } else if (d.type === 'array') {
    const items = itemSchema(doc, js);
    if (!items) return void problems.push(`${path}: an array in the contract, not in the JSON schema`);
    compareShapes(doc, d.element!, items, `${path}[]`, problems, seen, objects);
  } else if (d.type === 'record') {
    const x = deref(doc, js);
    const ap = (objectSchema(doc, x) ?? x).additionalProperties;
    if (!ap || typeof ap !== 'object') return void problems.push(`${path}: a record in the contract, not in the JSON schema`);
    compareShapes(doc, d.valueType!, ap as JsonSchema, `${path}.*`, problems, seen, objects);
  } else if (d.type === 'union') {
    for (const o of d.options ?? []) if (['object', 'array'].includes(def(unwrap(o)).type)) compareShapes(doc, o, js, path, problems, seen, objects);
  }
}

/** Every object schema of the JSON document, wherever it is. */
function jsonObjects(v: unknown, path: string, out: [string, JsonSchema][]): [string, JsonSchema][] {
  if (Array.isArray(v)) v.forEach((x, i) => jsonObjects(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') {
    const o = v as JsonSchema;
    if (o.properties || o.type === 'object') out.push([path, o]);
    for (const [k, x] of Object.entries(o)) jsonObjects(x, `${path}.${k}`, out);
  }
  return out;
}

describe('contract ⇄ docs/report-schema.json', () => {
  const doc = reportJsonSchema() as JsonSchema;

  it('every contract object has exactly its fields in the JSON schema, required alike, and is strict', () => {
    const problems: string[] = [];
    const objects = { n: 0 };
    compareShapes(doc, ReportSchema, doc, 'Report', problems, new Set(), objects);
    assert.deepEqual(problems, []);
    assert.ok(objects.n >= 30, `walked ${objects.n} objects`);
  });

  it('Comparison, GateDecision and ParityResult are reached from the report and match too', () => {
    const defs = doc.$defs as Record<string, JsonSchema>;
    for (const [name, zs] of [['Comparison', ComparisonSchema], ['GateDecision', GateDecisionSchema], ['ParityResult', ParityResultSchema]] as const) {
      assert.ok(defs[name], `$defs.${name}`);
      const problems: string[] = [];
      compareShapes(doc, zs, defs[name]!, name, problems, new Set(), { n: 0 });
      assert.deepEqual(problems, [], name);
    }
  });

  it('no object anywhere in the JSON schema admits undeclared fields (records declare their value type)', () => {
    const open = jsonObjects(doc, '#', []).filter(([, o]) => o.properties && o.additionalProperties !== false).map(([p]) => p);
    assert.deepEqual(open, []);
    const records = jsonObjects(doc, '#', []).filter(([, o]) => !o.properties && o.type === 'object');
    for (const [p, o] of records) assert.ok(o.additionalProperties && typeof o.additionalProperties === 'object', `${p} is an open object`);
  });

  it('the walk does catch a field missing from one side (so the tests above can fail)', () => {
    const broken = JSON.parse(JSON.stringify(doc)) as JsonSchema;
    const dev = (broken.$defs as Record<string, JsonSchema>).DeviceReport!;
    delete (dev.properties as Record<string, unknown>).verdictReason;
    dev.additionalProperties = true;
    const problems: string[] = [];
    compareShapes(broken, ReportSchema, broken, 'Report', problems, new Set(), { n: 0 });
    assert.ok(problems.some((p) => /DeviceReport|devices\[\]: contract fields/.test(p) || p.includes('verdictReason')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('admits undeclared fields')), problems.join('\n'));
  });
});
