/** YAML documents to plain data with the alias-expansion limit every loader applies. */
import { YAML_MAX_ALIASES } from '../limits.js';

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
 * Lines plus commas of a YAML text: a cheap upper bound of the nodes it can hold, checked before
 * parsing so a file of 300,000 tiny list items is refused in milliseconds instead of parsed for seconds.
 */
export function yamlItemCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 44) n++;
  }
  return n;
}
