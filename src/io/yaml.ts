/** YAML documents to plain data with the alias-expansion limit every loader applies. */
import { YAML_MAX_ALIASES, YAML_MAX_FLOW_DEPTH } from '../limits.js';

/**
 * A parsed YAML document as plain data, with alias expansion capped at {@link YAML_MAX_ALIASES}.
 * yaml throws ReferenceError for an alias bomb and for an undefined alias: both are input errors.
 */
export function yamlToJs(doc: { toJS(options: { maxAliasCount: number }): unknown }): { value: unknown } | Error {
  try {
    return { value: doc.toJS({ maxAliasCount: YAML_MAX_ALIASES }) };
  } catch (cause) {
    if (!(cause instanceof ReferenceError)) throw cause;
    const why = /Excessive alias count/.test(cause.message)
      ? `aliases expand past the limit of ${YAML_MAX_ALIASES} (an alias bomb?); write the values out (docs/limits.md)`
      : /Unresolved alias/.test(cause.message)
        ? `an alias names no anchor defined before it (${cause.message.replace(/^.*: /, '*')})`
        : cause.message;
    return new Error(why, { cause });
  }
}

/**
 * A cheap pre-parse measure of a YAML text: lines plus commas (an upper bound of the nodes it can hold)
 * and the deepest nesting of flow brackets. Checked before parsing, so a file of 300,000 tiny list
 * items or of 20,000 nested brackets is refused in milliseconds instead of parsed for seconds (or
 * until the parser's recursion overflows the stack). Brackets inside quoted strings count too: no real
 * config nests 64 of them.
 */
export function yamlShape(text: string): { items: number; flowDepth: number } {
  let items = 0;
  let depth = 0;
  let flowDepth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 44) items++;
    else if (c === 91 || c === 123) flowDepth = Math.max(flowDepth, ++depth);
    else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return { items, flowDepth };
}

/** Why a YAML text is refused before parsing, or undefined. */
export function yamlSizeProblem(text: string, maxItems: number): string | undefined {
  const { items, flowDepth } = yamlShape(text);
  if (items > maxItems) return `${items} lines and commas, over the limit of ${maxItems} (docs/limits.md)`;
  if (flowDepth > YAML_MAX_FLOW_DEPTH) return `brackets nested ${flowDepth} deep, over the limit of ${YAML_MAX_FLOW_DEPTH} (docs/limits.md)`;
  return undefined;
}
