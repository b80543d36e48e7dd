/**
 * HAProxy's field metadata for `typed` and `json` output: three letters
 * (origin, nature, scope) and a value type per field, e.g. `MCP:u64` for a
 * counter. These are the tags HAProxy 2.6 prints (see haproxy-compat).
 */

/** The tags of a field: `ONS:type`, e.g. `MGP:u32`. */
export type FieldTag = `${string}:${'u32' | 'u64' | 's32' | 's64' | 'str'}`;

const ORIGIN: Readonly<Record<string, string>> = {
  M: 'Metric',
  S: 'Status',
  K: 'Key',
  C: 'Config',
  P: 'Product',
};
const NATURE: Readonly<Record<string, string>> = {
  G: 'Gauge',
  L: 'Limit',
  m: 'Min',
  M: 'Max',
  R: 'Rate',
  C: 'Counter',
  D: 'Duration',
  A: 'Age',
  T: 'Time',
  N: 'Name',
  O: 'Output',
  a: 'Avg',
};
const SCOPE: Readonly<Record<string, string>> = { C: 'Cluster', P: 'Process', S: 'Service', s: 'System' };

/** The JSON form of a tag's three letters: `{origin, nature, scope}`. */
export function expandTags(tag: FieldTag): { origin: string; nature: string; scope: string } {
  return {
    origin: ORIGIN[tag[0]!] ?? 'Unknown',
    nature: NATURE[tag[1]!] ?? 'Unknown',
    scope: SCOPE[tag[2]!] ?? 'Unknown',
  };
}

/** The value type of a tag (`u32`, `str`...). */
export function tagType(tag: FieldTag): string {
  return tag.slice(4);
}

const COUNTER: FieldTag = 'MCP:u64';

/** Tags of the `show stat` fields that are not plain 64-bit counters. */
const STAT_TAGS: Readonly<Record<string, FieldTag>> = {
  pxname: 'KNS:str',
  svname: 'KNS:str',
  qcur: 'MGP:u32',
  qmax: 'MMP:u32',
  scur: 'MGP:u32',
  smax: 'MMP:u32',
  slim: 'CLP:u32',
  status: 'SGP:str',
  weight: 'MaP:u32',
  act: 'MGP:u32',
  bck: 'MGP:u32',
  lastchg: 'MAP:u32',
  downtime: 'MCP:u32',
  qlimit: 'CLP:u32',
  pid: 'KGP:u32',
  iid: 'KGS:u32',
  sid: 'KGS:u32',
  throttle: 'MOP:u32',
  tracked: 'CGS:str',
  type: 'CGS:u32',
  rate: 'MRP:u32',
  rate_lim: 'CLP:u32',
  rate_max: 'MMP:u32',
  check_status: 'MOP:str',
  check_code: 'MOP:u32',
  check_duration: 'MDP:u64',
  req_rate: 'MRP:u32',
  req_rate_max: 'MMP:u32',
  lastsess: 'MAP:s32',
  last_chk: 'MOP:str',
  last_agt: 'MOP:str',
  qtime: 'MaP:u32',
  ctime: 'MaP:u32',
  rtime: 'MaP:u32',
  ttime: 'MaP:u32',
  agent_status: 'MOP:str',
  agent_code: 'MOP:u32',
  agent_duration: 'MDP:u64',
  check_desc: 'MOP:str',
  agent_desc: 'MOP:str',
  check_rise: 'CGS:u32',
  check_fall: 'CGS:u32',
  check_health: 'CGS:u32',
  agent_rise: 'MaS:u32',
  agent_fall: 'MaS:u32',
  agent_health: 'SGS:u32',
  addr: 'CGS:str',
  cookie: 'CGS:str',
  mode: 'CGS:str',
  algo: 'CGS:str',
  conn_rate: 'MRP:u32',
  conn_rate_max: 'MMP:u32',
  srv_icur: 'MGP:u32',
  src_ilim: 'MGP:u32',
  qtime_max: 'MMP:u32',
  ctime_max: 'MMP:u32',
  rtime_max: 'MMP:u32',
  ttime_max: 'MMP:u32',
  idle_conn_cur: 'MGP:u32',
  safe_conn_cur: 'MGP:u32',
  used_conn_cur: 'MGP:u32',
  need_conn_est: 'MGP:u32',
  uweight: 'MaP:u32',
  agg_server_status: 'MGP:u32',
  agg_server_check_status: 'MGP:u32',
  agg_check_status: 'MGP:u32',
  h2_open_connections: 'MGP:u64',
  h2_backend_open_streams: 'MGP:u64',
  h1_open_connections: 'MGP:u64',
  h1_open_streams: 'MGP:u64',
};

/** Where HAProxy tags a field differently on one kind of row (F frontend, B backend, S server). */
const STAT_TAG_OVERRIDES: Readonly<Record<string, Readonly<Record<string, FieldTag>>>> = {
  S: { act: 'SGP:u32', bck: 'SGP:u32' },
  B: { rate: 'MGP:u32', rate_max: 'MGP:u32' },
};

/** The tag of `show stat` field `name` on a row of kind `kind` (F, B, S). */
export function statFieldTag(name: string, kind: string): FieldTag {
  return STAT_TAG_OVERRIDES[kind]?.[name] ?? STAT_TAGS[name] ?? COUNTER;
}
