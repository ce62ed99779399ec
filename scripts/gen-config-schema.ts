/**
 * Writes docs/config-schema.json from the zod schema of `.edgegate.yml` (src/config/schema.ts).
 * `npx tsx scripts/gen-config-schema.ts` writes it; `--check` exits 1 when the committed file differs.
 * The JSON Schema describes the file as written (zod's `io: 'input'`): sizes may be strings like "8MB".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigSchema } from '../src/config/schema.js';

/** The schema document, as the committed file holds it (2-space JSON, trailing newline). */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  const doc = {
    $schema: schema['$schema'],
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const CONFIG_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'config-schema.json');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = configJsonSchemaText();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(CONFIG_SCHEMA_PATH, 'utf8');
    } catch {
      /* missing counts as different */
    }
    if (current !== text) {
      process.stderr.write(`${CONFIG_SCHEMA_PATH} is out of date: run npx tsx scripts/gen-config-schema.ts\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(CONFIG_SCHEMA_PATH, text);
    process.stdout.write(`wrote ${CONFIG_SCHEMA_PATH}\n`);
  }
}
