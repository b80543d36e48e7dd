import type { JsonSchema } from './commands.js';

/** Where a value first failed its schema, as a JSON path (`$.args.weight`), and why. */
export interface SchemaViolation {
  path: string;
  message: string;
}

type Result = SchemaViolation | undefined;

/**
 * Validates `value` against `schema` (a draft 2020-12 subset: type, enum,
 * const, properties, required, additionalProperties, items, min/maxItems,
 * uniqueItems, minimum, maximum, min/maxLength, pattern, anyOf, oneOf, allOf,
 * if/then, local `$ref`). It is small on purpose: the protocol's own schema
 * uses nothing else, and a test keeps it that way. Returns the first
 * violation, or undefined when the value is valid.
 */
export function validateSchema(schema: JsonSchema, value: unknown, root: JsonSchema = schema): Result {
  return check(schema, value, '$', root);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'object' || node === null) throw new Error(`dangling $ref ${ref}`);
  return node as JsonSchema;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function check(schema: JsonSchema, value: unknown, path: string, root: JsonSchema): Result {
  if (typeof schema.$ref === 'string') return check(resolveRef(schema.$ref, root), value, path, root);
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeMatches(t, actual))) {
      return { path, message: `expected ${types.join(' or ')}, got ${actual}` };
    }
  }
  if (schema.const !== undefined && value !== schema.const) {
    return { path, message: `expected ${describe(schema.const)}` };
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    return {
      path,
      message: `expected one of ${schema.enum.map(describe).join(', ')}, got ${describe(value)}`,
    };
  }
  return (
    checkNumber(schema, value, path) ??
    checkString(schema, value, path) ??
    checkArray(schema, value, path, root) ??
    checkObject(schema, value, path, root) ??
    checkCombinators(schema, value, path, root)
  );
}

function checkNumber(schema: JsonSchema, value: unknown, path: string): Result {
  if (typeof value !== 'number') return undefined;
  if (typeof schema.minimum === 'number' && value < schema.minimum) {
    return { path, message: `must be >= ${schema.minimum}` };
  }
  if (typeof schema.maximum === 'number' && value > schema.maximum) {
    return { path, message: `must be <= ${schema.maximum}` };
  }
  return undefined;
}

function checkString(schema: JsonSchema, value: unknown, path: string): Result {
  if (typeof value !== 'string') return undefined;
  const length = [...value].length;
  if (typeof schema.minLength === 'number' && length < schema.minLength) {
    return { path, message: `must have at least ${schema.minLength} characters` };
  }
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
    return { path, message: `must have at most ${schema.maxLength} characters` };
  }
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    return { path, message: `must match ${schema.pattern}` };
  }
  return undefined;
}

function checkArray(schema: JsonSchema, value: unknown, path: string, root: JsonSchema): Result {
  if (!Array.isArray(value)) return undefined;
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    return { path, message: `must have at least ${schema.minItems} items` };
  }
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
    return { path, message: `must have at most ${schema.maxItems} items` };
  }
  if (schema.uniqueItems === true) {
    const seen = new Set(value.map((item) => JSON.stringify(item)));
    if (seen.size !== value.length) return { path, message: 'items must be unique' };
  }
  if (typeof schema.items === 'object' && schema.items !== null) {
    for (let i = 0; i < value.length; i++) {
      const failed = check(schema.items as JsonSchema, value[i], `${path}[${i}]`, root);
      if (failed) return failed;
    }
  }
  return undefined;
}

function checkObject(schema: JsonSchema, value: unknown, path: string, root: JsonSchema): Result {
  if (typeOf(value) !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  for (const name of (schema.required as string[] | undefined) ?? []) {
    if (!Object.hasOwn(record, name)) return { path, message: `missing required property '${name}'` };
  }
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  for (const [name, item] of Object.entries(record)) {
    const itemPath = `${path}.${name}`;
    if (Object.hasOwn(properties, name)) {
      const failed = check(properties[name]!, item, itemPath, root);
      if (failed) return failed;
    } else if (schema.additionalProperties === false) {
      return { path: itemPath, message: 'unknown property' };
    } else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
      const failed = check(schema.additionalProperties as JsonSchema, item, itemPath, root);
      if (failed) return failed;
    }
  }
  return undefined;
}

function checkCombinators(schema: JsonSchema, value: unknown, path: string, root: JsonSchema): Result {
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf as JsonSchema[]) {
      const failed = check(part, value, path, root);
      if (failed) return failed;
    }
  }
  if (Array.isArray(schema.anyOf)) {
    const parts = schema.anyOf as JsonSchema[];
    const failures = parts.map((part) => check(part, value, path, root));
    if (failures.every((f) => f !== undefined)) return failures[0];
  }
  if (Array.isArray(schema.oneOf)) {
    const parts = schema.oneOf as JsonSchema[];
    const failures = parts.map((part) => check(part, value, path, root));
    const passed = failures.filter((f) => f === undefined).length;
    if (passed !== 1) {
      return passed === 0 ? failures[0] : { path, message: 'matches more than one alternative' };
    }
  }
  if (typeof schema.if === 'object' && schema.if !== null && typeof schema.then === 'object') {
    if (check(schema.if as JsonSchema, value, path, root) === undefined) {
      return check(schema.then as JsonSchema, value, path, root);
    }
  }
  return undefined;
}

/** The keywords {@link validateSchema} understands (plus annotations it skips). */
export const SUPPORTED_SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'anyOf',
  'oneOf',
  'allOf',
  'if',
  'then',
  '$ref',
  '$schema',
  '$id',
  '$defs',
  'title',
  'description',
]);
