// Validates a parsed report against docs/report.schema.json with Ajv (draft 2020-12, strict).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020';
import { REPO_ROOT } from '../../support/corpus';

/** Returns a checker giving the schema violations of a value ([] when valid). */
export function reportValidator(): (value: unknown) => string[] {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'report.schema.json'), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));
}
