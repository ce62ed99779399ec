/**
 * Escaping of user-controlled strings (model paths, node names, op types, profile ids, config text)
 * for GitHub-flavoured markdown. markdown-table does not escape cells, so every cell goes through
 * escapeCell. Only numeric entities are used: they decode the same in markdown text, in table cells
 * and inside raw HTML blocks such as `<summary>`, where backslash escapes would show literally.
 */

// Bidi overrides and isolates can make text read differently than it is ("trojan source").
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
// C0 controls except tab/newline/CR, and DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is what this pattern is for
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
  '`': '&#96;',
  '\\': '&#92;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '~': '&#126;',
  $: '&#36;',
  '!': '&#33;',
  // A zero-width space after @ and # stops @mentions and #123 / owner/repo#1 references: GitHub
  // resolves those on the decoded text, so an entity alone would not.
  '@': '&#64;&#8203;',
  '#': '&#35;&#8203;',
};
const SPECIAL = /[&<>"'|`\\*_[\]~$!@#]/g;

function base(text: string): string {
  return String(text).replace(BIDI, '').replace(CONTROL, '').replace(SPECIAL, (c) => ENTITIES[c] ?? c);
}

/** Escapes inline text (headings, list items, `<summary>`): newlines and tabs become spaces. */
export function escapeMarkdown(text: string): string {
  return base(text).replace(/\r\n|\r|\n|\t/g, ' ');
}

/** Escapes a table cell: like escapeMarkdown, but newlines become `<br>` so the row stays one line. */
export function escapeCell(text: string): string {
  return base(text).replace(/\t/g, ' ').replace(/\r\n|\r|\n/g, '<br>');
}

/** Wraps escaped text in `<code>`: a code span cannot hold escaped backticks, `<code>` can. */
export function code(text: string): string {
  return `<code>${escapeCell(text)}</code>`;
}

/**
 * A label for a Mermaid chart, quoted. Mermaid has its own syntax and no entity decoding that GitHub
 * documents, so anything outside a small safe set is replaced; the table beside the chart carries
 * the exact names.
 */
export function mermaidLabel(text: string, max = 28): string {
  let s = String(text).replace(/[^A-Za-z0-9 ._:/+-]/g, '_');
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  return `"${s}"`;
}
