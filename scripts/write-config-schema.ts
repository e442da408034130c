/**
 * Writes the JSON Schemas of the configuration file and of a rules-only
 * document from the zod schema in cdk/config.ts (`npm run schema`).
 * test/cdk/config-schema.test.ts fails when the files are out of date.
 */
import { writeFileSync } from 'node:fs';
import {
  CONFIG_SCHEMA_PATH,
  configJsonSchema,
  RULES_SCHEMA_PATH,
  rulesJsonSchema,
} from '../cdk/config.ts';

const root = new URL('../', import.meta.url);
for (const [path, schema] of [
  [CONFIG_SCHEMA_PATH, configJsonSchema()],
  [RULES_SCHEMA_PATH, rulesJsonSchema()],
] as const) {
  writeFileSync(new URL(path, root), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${path}`);
}
