import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SdNotifier } from './sd-notify.js';

const log = pino({ level: 'silent' });

function recorder(delays: number[] = []) {
  const sent: string[][] = [];
  let call = 0;
  const send = async (assignments: readonly string[]) => {
    const delay = delays[call++] ?? 0;
    await new Promise((resolve) => setTimeout(resolve, delay));
    sent.push([...assignments]);
  };
  return { sent, send };
}

describe('SdNotifier', () => {
  it('is a no-op without NOTIFY_SOCKET', async () => {
    const { sent, send } = recorder();
    const notifier = new SdNotifier({ socket: undefined, send, log });
    await notifier.ready('up');
    await notifier.reloading();
    await notifier.stopping();
    expect(notifier.enabled).toBe(false);
    expect(sent).toEqual([]);
  });

  it('delivers in call order even when an earlier send is slow', async () => {
    const { sent, send } = recorder([50, 0, 0]);
    const notifier = new SdNotifier({ socket: '/run/x', send, log });
    void notifier.ready('a');
    void notifier.reloading();
    await notifier.ready('b');
    expect(sent.map((m) => m[0])).toEqual(['READY=1', 'RELOADING=1', 'READY=1']);
    expect(sent[1]?.[1]).toMatch(/^MONOTONIC_USEC=\d+$/);
  });

  it('keeps STATUS on one line and survives a failing sender', async () => {
    const sent: string[][] = [];
    let fail = true;
    const notifier = new SdNotifier({
      socket: '/run/x',
      log,
      send: async (a) => {
        if (fail) {
          fail = false;
          throw new Error('no systemd-notify');
        }
        sent.push([...a]);
      },
    });
    await notifier.status('lost');
    await notifier.status('two\nlines');
    expect(sent).toEqual([['STATUS=two lines']]);
  });
});
