import type { PortsReport, Topic } from '@lbctl/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiContext } from '../context.js';
import { EventBus } from '../event-bus.js';
import { type Subscriber, SubscriptionHub } from './subscription-hub.js';

/** A subscriber that keeps what it is sent, parsed. */
class Recorder implements Subscriber {
  readonly seesSensitive = false;
  readonly pushes: { subscription: number; topic: Topic; data: { topic: string; time: number } }[] = [];
  push(subscription: number, topic: Topic, data: Buffer): boolean {
    this.pushes.push({ subscription, topic, data: JSON.parse(data.toString()) });
    return true;
  }
  topics(): string[] {
    return this.pushes.map((p) => `${p.topic}@${p.data.time}`);
  }
}

/** The smallest report the hub handles: it only forwards it. */
function report(time: number): PortsReport {
  return { time, pairs: [] } as unknown as PortsReport;
}

const hubs: SubscriptionHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
});

/** A hub over a bus, with a ports monitor whose latest report the test sets (undefined: no monitor). */
function setUp(latest: (() => Promise<PortsReport>) | undefined) {
  const events = new EventBus();
  const ctx = { events, portsReport: latest, log: pino({ level: 'silent' }) } as unknown as ApiContext;
  const hub = new SubscriptionHub(ctx);
  hubs.push(hub);
  return { events, hub };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('SubscriptionHub and the ports report', () => {
  it('streams each report on ports-report only; ports subscribers keep getting only alerts', async () => {
    const { events, hub } = setUp(undefined);
    const reports = new Recorder();
    const alerts = new Recorder();
    hub.add(reports, ['ports-report'], 1000);
    hub.add(alerts, ['ports'], 1000);
    events.publish({ topic: 'ports-report', ...report(10) });
    events.publish({
      topic: 'ports',
      time: 11,
      source: '127.0.0.2',
      destination: '127.0.0.1:3306',
      used: 900,
      available: 100,
      level: 'warning',
    });
    await turn();
    expect(reports.topics()).toEqual(['ports-report@10']);
    expect(reports.pushes[0]!.data).toEqual({ topic: 'ports-report', time: 10, pairs: [] });
    expect(alerts.topics()).toEqual(['ports@11']);
  });

  it('sends the latest report as soon as one subscribes, so the first one is not an interval away', async () => {
    const { hub } = setUp(async () => report(5));
    const late = new Recorder();
    hub.add(late, ['server', 'ports-report'], 1000);
    // Not within the turn that subscribed (microtasks included): the subscribe's response goes out first.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(late.pushes).toEqual([]);
    await turn();
    await turn();
    expect(late.topics()).toEqual(['ports-report@5']);
  });

  it('does not send that first report twice when the scan it waited for is published meanwhile', async () => {
    let finish: (r: PortsReport) => void = () => {};
    const { events, hub } = setUp(() => new Promise((resolve) => (finish = resolve)));
    const sub = new Recorder();
    hub.add(sub, ['ports-report'], 1000);
    await turn();
    // The monitor publishes the scan the hub waits for, then resolves the request with the same report.
    events.publish({ topic: 'ports-report', ...report(7) });
    finish(report(7));
    await turn();
    expect(sub.topics()).toEqual(['ports-report@7']);
  });

  it('sends nothing to a subscription that ended before the report came, nor without a monitor', async () => {
    let finish: (r: PortsReport) => void = () => {};
    const { hub } = setUp(() => new Promise((resolve) => (finish = resolve)));
    const gone = new Recorder();
    const id = hub.add(gone, ['ports-report'], 1000);
    await turn();
    hub.remove(gone, id);
    finish(report(3));
    await turn();
    expect(gone.pushes).toEqual([]);
    const { hub: noMonitor } = setUp(undefined);
    const sub = new Recorder();
    noMonitor.add(sub, ['ports-report'], 1000);
    await turn();
    expect(sub.pushes).toEqual([]);
  });
});
