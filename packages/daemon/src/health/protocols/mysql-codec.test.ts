import { describe, expect, it } from 'vitest';
import {
  buildLogin41,
  buildLogin320,
  CAPS,
  comQuery,
  comQuit,
  framePacket,
  isErr,
  isOk,
  parseAuthSwitch,
  parseErr,
  parseGreeting,
  scrambleNativePassword,
  takePacket,
  takeQueryReply,
} from './mysql-codec.js';

// Bytes captured from MariaDB 10.11.19 (Debian 12) on loopback: the greeting,
// the login lbd sent for lbtest/lbtest-pw (which the server accepted), the OK,
// a refused login, and the reply to `SELECT 1 AS one, NULL AS n, 'x' AS s`.
const GREETING = Buffer.from(
  '640000000a352e352e352d31302e31312e31392d4d6172696144422d302b64656231327531001b0000006934647c6563415a00fef7080200ff81150000000000001d00000021337b3840796362415e3630006d7973716c5f6e61746976655f70617373776f726400',
  'hex',
);
const LOGIN = Buffer.from(
  '5200000105a20800000000012d00000000000000000000000000000000000000000000006c62746573740014c21ebef954a7745ff751ffd15e7c65cf7b9060016d7973716c5f6e61746976655f70617373776f726400',
  'hex',
);
const LOGIN_OK = Buffer.from('0700000200000002000000', 'hex');
const LOGIN_REFUSED = Buffer.from(
  '4a000002ff15042332383030304163636573732064656e69656420666f72207573657220276c62746573742740273132372e302e302e312720287573696e672070617373776f72643a2059455329',
  'hex',
);
const SELECT_REPLY = Buffer.from(
  '01000001031900000203646566000000036f6e65000c3f00010000000381000000001700000303646566000000016e000c3f000000000006800000000017000004036465660000000173000c2d0004000000fd010027000005000005fe00000200050000060131fb017805000007fe00000200',
  'hex',
);

describe('mysql codec on captured MariaDB bytes', () => {
  it('parses the greeting: version, capabilities, 20-byte salt, plugin', () => {
    const packet = takePacket(GREETING);
    expect(packet?.used).toBe(GREETING.length);
    const greeting = parseGreeting(packet!.value.payload);
    expect(greeting.protocolVersion).toBe(10);
    expect(greeting.serverVersion).toBe('5.5.5-10.11.19-MariaDB-0+deb12u1');
    expect(greeting.connectionId).toBe(27);
    expect(greeting.salt).toHaveLength(20);
    expect(greeting.capabilities & CAPS.PROTOCOL_41).toBeTruthy();
    expect(greeting.capabilities & CAPS.PLUGIN_AUTH).toBeTruthy();
    expect(greeting.authPlugin).toBe('mysql_native_password');
  });

  it('builds byte for byte the login the server accepted', () => {
    const greeting = parseGreeting(takePacket(GREETING)!.value.payload);
    const login = buildLogin41({
      user: 'lbtest',
      authResponse: scrambleNativePassword('lbtest-pw', greeting.salt),
      serverCapabilities: greeting.capabilities,
    });
    expect(framePacket(1, login).toString('hex')).toBe(LOGIN.toString('hex'));
  });

  it('reads OK and ERR replies with the error number and the server text', () => {
    expect(isOk(takePacket(LOGIN_OK)!.value.payload)).toBe(true);
    const refused = takePacket(LOGIN_REFUSED)!.value.payload;
    expect(isErr(refused)).toBe(true);
    expect(parseErr(refused)).toEqual({
      code: 1045,
      sqlState: '28000',
      message: "Access denied for user 'lbtest'@'127.0.0.1' (using password: YES)",
    });
  });

  it('reads an ERR greeting, which has no SQL state', () => {
    const text = "Host '10.0.0.9' is blocked because of many connection errors";
    const payload = Buffer.concat([Buffer.from([0xff, 0x69, 0x04]), Buffer.from(text)]);
    expect(parseErr(payload)).toEqual({ code: 1129, sqlState: undefined, message: text });
  });

  it('parses a text result set with NULLs, and waits while it is incomplete', () => {
    for (let cut = 0; cut < SELECT_REPLY.length; cut += 7) {
      expect(takeQueryReply(SELECT_REPLY.subarray(0, cut))).toBeUndefined();
    }
    const reply = takeQueryReply(SELECT_REPLY);
    expect(reply?.used).toBe(SELECT_REPLY.length);
    expect(reply?.value).toEqual({
      kind: 'rows',
      result: { columns: ['one', 'n', 's'], rows: [['1', null, 'x']] },
    });
  });

  it('reads an error reply to a query', () => {
    const reply = takeQueryReply(LOGIN_REFUSED);
    expect(reply?.value.kind).toBe('error');
  });

  it('scrambles as mysql_native_password: empty for no password, 20 bytes otherwise', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    expect(scrambleNativePassword('', salt)).toHaveLength(0);
    expect(scrambleNativePassword('secret', salt)).toHaveLength(20);
    expect(scrambleNativePassword('secret', salt)).not.toEqual(scrambleNativePassword('secret2', salt));
  });

  it('frames COM_QUIT, COM_QUERY and the pre-4.1 login', () => {
    expect(comQuit().toString('hex')).toBe('0100000001');
    expect(comQuery('SHOW SLAVE STATUS').subarray(0, 5).toString('hex')).toBe('1200000003');
    const old = buildLogin320('haproxy');
    expect(old.readUInt16LE(0) & CAPS.PROTOCOL_41).toBe(0);
    expect(old.subarray(5).toString()).toBe('haproxy\0');
  });

  it('parses an auth switch to another plugin', () => {
    const payload = Buffer.concat([
      Buffer.from([0xfe]),
      Buffer.from('mysql_native_password\0'),
      Buffer.from('abcdefghijklmnopqrst\0'),
    ]);
    expect(parseAuthSwitch(payload)).toEqual({
      plugin: 'mysql_native_password',
      salt: Buffer.from('abcdefghijklmnopqrst'),
    });
    expect(parseAuthSwitch(Buffer.from([0x00, 0, 0]))).toBeUndefined();
  });
});
