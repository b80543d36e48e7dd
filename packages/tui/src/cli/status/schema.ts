import type { JsonSchema } from '@lbctl/protocol';

const STR = { type: 'string' } as const;
const INT = { type: 'integer' } as const;
const NAT = { type: 'integer', minimum: 0 } as const;
const NULLABLE_INT = { type: ['integer', 'null'] } as const;
const NULLABLE_STR = { type: ['string', 'null'] } as const;

function object(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

const sessions = object({
  current: NAT,
  max: NAT,
  limit: { type: ['integer', 'null'], minimum: 0 },
  total: NAT,
});
const pair = object({ current: NAT, max: NAT });

const server = object({
  backend: STR,
  server: STR,
  address: NULLABLE_STR,
  port: NULLABLE_INT,
  status: STR,
  admin: { enum: ['ready', 'drain', 'maint'] },
  health: { enum: ['up', 'down'] },
  backup: { type: 'boolean' },
  weight: NAT,
  initialWeight: NAT,
  check: object({
    configured: { type: 'boolean' },
    enabled: { type: 'boolean' },
    status: NULLABLE_STR,
    code: NULLABLE_INT,
    durationMs: { type: ['number', 'null'] },
    description: NULLABLE_STR,
    health: INT,
    rise: INT,
    fall: INT,
  }),
  sessions: { $ref: '#/$defs/sessions' },
  queue: { $ref: '#/$defs/pair' },
  rate: { $ref: '#/$defs/pair' },
  lastChangeSec: NAT,
});

const backend = object({
  name: STR,
  status: STR,
  weight: NAT,
  sessions: { $ref: '#/$defs/sessions' },
  queue: { $ref: '#/$defs/pair' },
  rate: { $ref: '#/$defs/pair' },
  lastChangeSec: NULLABLE_INT,
  servers: { type: 'array', items: { $ref: '#/$defs/server' } },
});

const frontend = object({
  name: STR,
  status: STR,
  sessions: { $ref: '#/$defs/sessions' },
  rate: { $ref: '#/$defs/pair' },
});

/**
 * JSON Schema of `lbctl status --json`, format `lbctl-status` version 1.
 * Scripts may rely on every field listed here; a change that breaks them
 * bumps `version`. Validated with `validateSchema` from `@lbctl/protocol`.
 */
export const STATUS_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:lbctl:status:v1',
  title: 'lbctl status --json',
  ...object({
    format: { const: 'lbctl-status' },
    version: { const: 1 },
    time: NAT,
    daemons: {
      type: 'array',
      items: object({
        target: STR,
        frontends: { type: 'array', items: { $ref: '#/$defs/frontend' } },
        backends: { type: 'array', items: { $ref: '#/$defs/backend' } },
      }),
    },
  }),
  $defs: { sessions, pair, server, backend, frontend },
};
