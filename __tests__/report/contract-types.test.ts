// Every field of the hand-written contract (src/report/types.ts) is in the JSON schema, at the same place,
// with the same optionality and nullability, and string-literal unions match the schema's enums. Read with
// the TypeScript compiler API, so a field added to the types without the schema fails here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ts from 'typescript';
import { reportJsonSchema } from '../../src/report/schema.js';
import { admitsNull, deref, itemSchema, type JsonSchema, objectSchema } from './json-schema-walk.js';
import { ROOT } from './real-reports.js';

/** Contract interface → where its schema is in docs/report-schema.json (`#` = the document root). */
const ROOTS: Record<string, string> = {
  Report: '#',
  ReportError: 'ReportError',
  ModelReport: 'ModelReport',
  DeviceReport: 'DeviceReport',
  NodePlacementReport: 'NodeReport',
  BudgetReport: 'BudgetReport',
};

function contractProblems(): { checked: string[]; problems: string[] } {
  const file = join(ROOT, 'src/report/types.ts');
  const program = ts.createProgram([file], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const doc = reportJsonSchema() as JsonSchema;
  const checked: string[] = [];
  const problems: string[] = [];

  const nonNull = (t: ts.Type): ts.Type[] => (t.isUnion() ? t.types : [t]).filter((x) => !(x.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
  const hasNull = (t: ts.Type): boolean => (t.isUnion() ? t.types : [t]).some((x) => (x.flags & ts.TypeFlags.Null) !== 0);
  const isObjectLike = (t: ts.Type): boolean => (t.flags & ts.TypeFlags.Object) !== 0 && t.getProperties().length > 0 && !checker.isArrayType(t);

  const compare = (type: ts.Type, schema: JsonSchema, where: string, depth: number): void => {
    const obj = objectSchema(doc, schema);
    if (!obj) {
      problems.push(`${where}: the schema admits no object`);
      return;
    }
    const props = (obj.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((obj.required ?? []) as string[]);
    for (const sym of type.getProperties()) {
      const name = sym.getName();
      const path = `${where}.${name}`;
      checked.push(path);
      const ps = props[name];
      if (!ps) {
        problems.push(`${path}: in the contract, not in the schema`);
        continue;
      }
      const optional = (sym.flags & ts.SymbolFlags.Optional) !== 0;
      if (optional === required.has(name)) problems.push(`${path}: ${optional ? 'optional' : 'required'} in the contract, ${required.has(name) ? 'required' : 'optional'} in the schema`);
      const pt = checker.getTypeOfSymbolAtLocation(sym, source);
      if (hasNull(pt) !== admitsNull(doc, ps)) problems.push(`${path}: ${hasNull(pt) ? 'nullable' : 'not nullable'} in the contract, ${admitsNull(doc, ps) ? 'nullable' : 'not nullable'} in the schema`);
      const parts = nonNull(pt);
      // String-literal unions (Placement, DeviceVerdict, budget verdict, kind) must equal the schema's enum.
      if (parts.length > 0 && parts.every((x) => x.isStringLiteral())) {
        const lits = parts.map((x) => (x as ts.StringLiteralType).value).sort();
        const e = deref(doc, ps);
        const en = ((e.enum ?? (e.anyOf as JsonSchema[] | undefined)?.find((b) => b.enum)?.enum) ?? []) as string[];
        if (JSON.stringify([...en].sort()) !== JSON.stringify(lits)) problems.push(`${path}: contract values ${lits.join('|')}, schema enum ${en.join('|')}`);
      }
      if (depth > 6 || parts.length !== 1) continue;
      const t = parts[0]!;
      if (checker.isArrayType(t)) {
        const el = checker.getTypeArguments(t as ts.TypeReference)[0];
        const items = itemSchema(doc, ps);
        if (!items) problems.push(`${path}: an array in the contract, not in the schema`);
        else if (el && isObjectLike(el)) compare(el, items, `${path}[]`, depth + 1);
      } else if (isObjectLike(t)) {
        compare(t, ps, path, depth + 1);
      }
    }
  };

  for (const stmt of source.statements) {
    if (!ts.isInterfaceDeclaration(stmt)) continue;
    const name = stmt.name.text;
    const at = ROOTS[name];
    if (!at) {
      problems.push(`interface ${name} has no entry in ROOTS of this test`);
      continue;
    }
    const schema = at === '#' ? doc : ((doc.$defs as Record<string, JsonSchema>)[at] ?? {});
    compare(checker.getTypeAtLocation(stmt), schema, name, 0);
  }
  return { checked, problems };
}

describe('src/report/types.ts vs the schema', () => {
  const { checked, problems } = contractProblems();

  it('every contract field is in the schema with the same optionality, nullability and values', () => {
    assert.ok(checked.length >= 60, `only ${checked.length} contract fields read`);
    for (const f of ['Report.schemaVersion', 'Report.tool.version', 'ModelReport.activationLowerBoundBytes', 'DeviceReport.latencyMs.high', 'NodePlacementReport.placement', 'BudgetReport.waivedBy.expires', 'BudgetReport.expiredWaivers[].reason', 'Report.models[].devices[].nodes[].unit']) {
      assert.ok(checked.includes(f), `${f} was not compared`);
    }
    assert.deepEqual(problems, []);
  });
});
