import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Compiles with a logger that keeps every warning and error, so a test can assert there are none. */
export function compileCollectingWarnings(spec: TopLevelSpec): unknown[][] {
  const warnings: unknown[][] = [];
  let level = 0;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(['error', ...args]);
      return logger;
    },
    warn(...args: unknown[]) {
      warnings.push(args);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  compile(spec, { logger } as Parameters<typeof compile>[1]);
  return warnings;
}

let validator: ValidateFunction | undefined;

/**
 * Vega-Lite's own JSON schema (draft-07, as it declares), compiled once: every spec a
 * figure builds must validate against it, whatever the TypeScript types let through.
 */
export function vegaLiteSchemaValidator(): ValidateFunction {
  if (!validator) {
    const path = createRequire(import.meta.url).resolve('vega-lite/vega-lite-schema.json');
    const schema = JSON.parse(readFileSync(path, 'utf8')) as { $schema: string };
    if (!schema.$schema.includes('draft-07')) throw new Error(`vega-lite's schema declares ${schema.$schema}; use the matching Ajv`);
    validator = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
  }
  return validator;
}
