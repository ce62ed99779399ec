// Minimal JSON Schema navigation for the tests: follow `$ref`s into `$defs`, pick the object/array branch
// of an `anyOf`, and list data fields that the schema does not declare (loose objects accept them anyway).
export type JsonSchema = Record<string, unknown>;

export function deref(root: JsonSchema, s: JsonSchema): JsonSchema {
  let cur = s;
  for (let i = 0; i < 20 && typeof cur.$ref === 'string'; i++) {
    const ref = cur.$ref as string;
    if (ref === '#') cur = root;
    else {
      const m = /^#\/\$defs\/(.+)$/.exec(ref);
      if (!m) throw new Error(`unsupported $ref ${ref}`);
      const target = (root.$defs as Record<string, JsonSchema> | undefined)?.[m[1]!];
      if (!target) throw new Error(`dangling $ref ${ref}`);
      cur = target;
    }
  }
  return cur;
}

const hasType = (s: JsonSchema, t: string): boolean => s.type === t || (Array.isArray(s.type) && s.type.includes(t));

function branch(root: JsonSchema, s: JsonSchema, t: 'object' | 'array'): JsonSchema | undefined {
  const x = deref(root, s);
  if (hasType(x, t) || (t === 'object' && x.properties) || (t === 'array' && x.items)) return x;
  for (const b of (x.anyOf ?? x.oneOf ?? []) as JsonSchema[]) {
    const y = branch(root, b, t);
    if (y) return y;
  }
  return undefined;
}

/** The object schema of `s` (through $ref and anyOf), or undefined when it admits no object. */
export const objectSchema = (root: JsonSchema, s: JsonSchema): JsonSchema | undefined => branch(root, s, 'object');
/** The item schema of an array schema `s`, or undefined. */
export const itemSchema = (root: JsonSchema, s: JsonSchema): JsonSchema | undefined => branch(root, s, 'array')?.items as JsonSchema | undefined;

/** True when `s` (through $ref/anyOf) admits null. */
export function admitsNull(root: JsonSchema, s: JsonSchema): boolean {
  const x = deref(root, s);
  if (hasType(x, 'null')) return true;
  return ((x.anyOf ?? x.oneOf ?? []) as JsonSchema[]).some((b) => admitsNull(root, b));
}

/** True when additionalProperties declares a value schema (a record), not just "anything" (a loose object). */
function isRecord(s: JsonSchema): boolean {
  const ap = s.additionalProperties;
  return !!ap && typeof ap === 'object' && Object.keys(ap).length > 0;
}

/** Paths of fields present in `data` that `schema` does not declare. */
export function undeclaredFields(root: JsonSchema, schema: JsonSchema, data: unknown, path = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(data)) {
    const items = itemSchema(root, schema);
    if (items) data.forEach((x) => undeclaredFields(root, items, x, `${path}[]`, out));
    return out;
  }
  if (!data || typeof data !== 'object') return out;
  const obj = objectSchema(root, schema);
  if (!obj) return out;
  const props = (obj.properties ?? {}) as Record<string, JsonSchema>;
  for (const [k, v] of Object.entries(data)) {
    const p = path ? `${path}.${k}` : k;
    if (props[k]) undeclaredFields(root, props[k]!, v, p, out);
    else if (isRecord(obj)) undeclaredFields(root, obj.additionalProperties as JsonSchema, v, `${path}.*`, out);
    else out.add(p);
  }
  return out;
}
