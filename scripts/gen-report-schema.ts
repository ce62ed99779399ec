/**
 * Writes docs/report-schema.json from the zod schemas of the check report (src/report/schema.ts) and of
 * the parity result.json (src/parity/result-schema.ts, under `$defs.ParityResult`).
 * `npx tsx scripts/gen-report-schema.ts` writes it; `--check` exits 1 when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from '../src/report/schema.js';

/** The schema document, as the committed file holds it (2-space JSON, trailing newline). */
export function reportJsonSchemaText(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

export const REPORT_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'report-schema.json');

/** True when the committed file equals what the schemas generate now. */
export function reportSchemaUpToDate(file = REPORT_SCHEMA_PATH): boolean {
  try {
    return readFileSync(file, 'utf8') === reportJsonSchemaText();
  } catch {
    return false;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    if (!reportSchemaUpToDate()) {
      process.stderr.write(`${REPORT_SCHEMA_PATH} is out of date: run npx tsx scripts/gen-report-schema.ts\n`);
      process.exit(1);
    }
    process.stdout.write(`${REPORT_SCHEMA_PATH} is up to date\n`);
  } else {
    writeFileSync(REPORT_SCHEMA_PATH, reportJsonSchemaText());
    process.stdout.write(`wrote ${REPORT_SCHEMA_PATH}\n`);
  }
}
