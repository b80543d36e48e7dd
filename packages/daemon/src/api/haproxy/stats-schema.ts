/**
 * `show schema json`: the JSON Schema (draft-04) of `show info json` and
 * `show stat json` output, with the structure HAProxy 2.6 documents.
 */
const TYPED_VALUE_TYPES = [
  ['s32Value', 's32', -2147483648, 2147483647],
  ['s64Value', 's64', -9007199254740991, 9007199254740991],
  ['u32Value', 'u32', 0, 4294967295],
  ['u64Value', 'u64', 0, 9007199254740991],
] as const;

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

function buildSchema(): unknown {
  const valueDefs: Record<string, unknown> = {};
  for (const [name, type, minimum, maximum] of TYPED_VALUE_TYPES) {
    valueDefs[name] = {
      properties: { type: { type: 'string', enum: [type] }, value: { type: 'integer', minimum, maximum } },
      required: ['type', 'value'],
    };
  }
  valueDefs.strValue = {
    properties: { type: { type: 'string', enum: ['str'] }, value: { type: 'string' } },
    required: ['type', 'value'],
  };
  valueDefs.unknownValue = {
    properties: { type: { type: 'integer', minimum: 0 }, value: { type: 'string', enum: ['unknown'] } },
    required: ['type', 'value'],
  };
  const common = { field: ref('field'), processNum: ref('processNum'), tags: ref('tags') };
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    oneOf: [
      {
        title: 'Info',
        type: 'array',
        items: {
          title: 'InfoItem',
          type: 'object',
          properties: { ...common, value: ref('typedValue') },
          required: ['field', 'processNum', 'tags', 'value'],
        },
      },
      {
        title: 'Stat',
        type: 'array',
        items: {
          title: 'InfoItem',
          type: 'object',
          properties: {
            objType: { enum: ['Frontend', 'Backend', 'Listener', 'Server', 'Unknown'] },
            proxyId: { type: 'integer', minimum: 0 },
            id: { type: 'integer', minimum: 0 },
            ...common,
            typedValue: ref('typedValue'),
          },
          required: ['objType', 'proxyId', 'id', 'field', 'processNum', 'tags', 'value'],
        },
      },
      {
        title: 'Error',
        type: 'object',
        properties: { errorStr: { type: 'string' } },
        required: ['errorStr'],
      },
    ],
    definitions: {
      field: {
        type: 'object',
        pos: { type: 'integer', minimum: 0 },
        name: { type: 'string' },
        required: ['pos', 'name'],
      },
      processNum: { type: 'integer', minimum: 1 },
      tags: {
        type: 'object',
        origin: { type: 'string', enum: ['Metric', 'Status', 'Key', 'Config', 'Product', 'Unknown'] },
        nature: {
          type: 'string',
          enum: [
            'Gauge',
            'Limit',
            'Min',
            'Max',
            'Rate',
            'Counter',
            'Duration',
            'Age',
            'Time',
            'Name',
            'Output',
            'Avg',
            'Unknown',
          ],
        },
        scope: { type: 'string', enum: ['Cluster', 'Process', 'Service', 'System', 'Unknown'] },
        required: ['origin', 'nature', 'scope'],
      },
      typedValue: {
        type: 'object',
        oneOf: TYPED_VALUE_TYPES.map(([name]) => ({
          $ref: `#/definitions/typedValue/definitions/${name}`,
        })).concat([{ $ref: '#/definitions/typedValue/definitions/strValue' }]),
        definitions: valueDefs,
      },
    },
  };
}

/** The `show schema json` reply body. */
export const STATS_SCHEMA_JSON = `${JSON.stringify(buildSchema())}\n`;
