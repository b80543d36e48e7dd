import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, COMMANDS } from './commands.js';
import { API_ERROR_CODES } from './errors.js';
import { PROTOCOL_SCHEMA, REQUEST_SCHEMA } from './schema.js';
import { SUPPORTED_SCHEMA_KEYWORDS, validateSchema } from './validate.js';

const valid = (message: unknown) => validateSchema(REQUEST_SCHEMA, message, PROTOCOL_SCHEMA);

/** Property names whose values are maps of names, not schemas (their keys are not keywords). */
const NAME_MAPS = new Set(['properties', '$defs', 'args', 'events', 'results']);

function keywordsOf(node: unknown, parent = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) keywordsOf(item, parent, out);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (!NAME_MAPS.has(parent)) out.add(key);
      if (key !== 'enum' && key !== 'const' && key !== 'required') keywordsOf(value, key, out);
    }
  }
  return out;
}

describe('the protocol schema', () => {
  it('uses only keywords the validator understands', () => {
    const unknown = [...keywordsOf(PROTOCOL_SCHEMA)].filter((k) => !SUPPORTED_SCHEMA_KEYWORDS.has(k));
    expect(unknown).toEqual([]);
  });

  it('accepts a well-formed request of every command and rejects extra fields', () => {
    const examples: Record<string, unknown> = {
      'set-weight': { backend: 'b', server: 's', weight: '50%' },
      'set-state': { backend: 'b', server: 's', state: 'drain' },
      'set-health': { backend: 'b', server: 's', health: 'down' },
      'set-agent': { backend: 'b', server: 's', agent: 'up' },
      'set-addr': { backend: 'b', server: 's', addr: '10.0.0.1', port: 3306 },
      subscribe: { topics: ['stats', 'server'], intervalMs: 500 },
      unsubscribe: { subscription: 3 },
      'lower-level': { level: 'user' },
      'set-timeout': { seconds: 30 },
    };
    for (const cmd of COMMAND_NAMES) {
      const needsServer = (COMMANDS[cmd].args as { required?: string[] }).required?.includes('server');
      const args = examples[cmd] ?? (needsServer ? { backend: 'b', server: 's' } : {});
      expect(valid({ id: 1, cmd, args }), cmd).toBeUndefined();
      expect(valid({ id: 1, cmd, args: { ...(args as object), bogus: 1 } }), cmd).toMatchObject({
        path: '$.args.bogus',
      });
    }
  });

  it('names the first offending path', () => {
    expect(valid({ id: 1, cmd: 'set-weight', args: { backend: 'b', server: 's', weight: 257 } })).toEqual({
      path: '$.args.weight',
      message: 'must be <= 256',
    });
    expect(valid({ id: 1, cmd: 'subscribe', args: { topics: [] } })?.path).toBe('$.args.topics');
    expect(valid({ id: { x: 1 }, cmd: 'hello' })?.path).toBe('$.id');
    expect(valid({ cmd: 'hello' })).toEqual({ path: '$', message: "missing required property 'id'" });
  });

  it('describes responses and pushes', () => {
    const response = { $ref: '#/$defs/response' };
    expect(validateSchema(response, { id: 1, ok: true, data: {} }, PROTOCOL_SCHEMA)).toBeUndefined();
    const error = { id: null, ok: false, error: { code: 'LB_ERR_BAD_JSON', message: 'x' } };
    expect(validateSchema(response, error, PROTOCOL_SCHEMA)).toBeUndefined();
    const unknownCode = { id: 1, ok: false, error: { code: 'NOPE', message: 'x' } };
    expect(validateSchema(response, unknownCode, PROTOCOL_SCHEMA)).toBeDefined();
    const push = {
      subscription: 1,
      topic: 'server',
      data: {
        topic: 'server',
        time: 1,
        backend: 'b',
        server: 's',
        field: 'admin',
        from: 'ready',
        to: 'maint',
        reason: 'r',
        status: 'MAINT',
      },
    };
    expect(validateSchema({ $ref: '#/$defs/push' }, push, PROTOCOL_SCHEMA)).toBeUndefined();
    expect(Object.keys(API_ERROR_CODES).length).toBeGreaterThan(10);
  });
});
