/**
 * One string object per distinct value: a large model repeats the same tensor names, op types and
 * per-node texts many times, and each repeat decoded or built anew is a string of its own.
 */
export function makeInterner(): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => {
    const hit = seen.get(text);
    if (hit !== undefined) return hit;
    seen.set(text, text);
    return text;
  };
}
