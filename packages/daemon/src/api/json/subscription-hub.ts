import type { PortsReport, StatRow, StatsSnapshot, StreamedEvent, Topic } from '@lbctl/protocol';
import type { ApiContext } from '../context.js';
import { infoRecord } from '../haproxy/show-info.js';
import { collectStatRows, type StatFilter } from '../haproxy/stat-table.js';

/** The receiving end of subscriptions: a JSON session. */
export interface Subscriber {
  /** True at level operator or admin: snapshots then carry server addresses and algorithms. */
  readonly seesSensitive: boolean;
  /** Sends one push; `data` is shared JSON. Returns false when the subscriber was dropped. */
  push(subscription: number, topic: Topic, data: Buffer): boolean;
}

interface Subscription {
  readonly id: number;
  readonly subscriber: Subscriber;
  readonly topics: ReadonlySet<Topic>;
  readonly intervalMs: number;
  /** `time` of the last ports report pushed to it, so the first one is never sent twice. */
  portsReportTime: number;
}

/** Stats rows without their empty cells, for JSON. */
export function compactRows(rows: readonly StatRow[]): StatRow[] {
  return rows.map((row) => {
    const out: StatRow = {};
    for (const [key, value] of Object.entries(row)) {
      if (value !== '' && value !== undefined) (out as Record<string, unknown>)[key] = value;
    }
    return out;
  });
}

/** Stats rows as JSON clients get them. */
export function jsonStatRows(ctx: ApiContext, showSensitive: boolean, filter: StatFilter = {}): StatRow[] {
  return compactRows(
    collectStatRows(
      ctx.model,
      ctx.dataPlane,
      { showSensitive, stopping: ctx.stopping, tracker: ctx.tracker },
      filter,
    ),
  );
}

/** One stats snapshot: `show info` and `show stat` together. */
export function buildSnapshot(ctx: ApiContext, showSensitive: boolean): StatsSnapshot {
  return { time: Date.now(), info: infoRecord(ctx), rows: jsonStatRows(ctx, showSensitive) };
}

/**
 * Fans events and stats snapshots out to subscribers. The cost does not
 * grow with the subscriber count where it matters: one timer per distinct
 * interval, one snapshot per tick and sensitivity, one serialization per
 * event, the same bytes written to every subscriber.
 */
export class SubscriptionHub {
  private nextId = 1;
  private readonly byTopic = new Map<Topic, Set<Subscription>>();
  private readonly bySubscriber = new Map<Subscriber, Map<number, Subscription>>();
  private readonly timers = new Map<number, { timer: NodeJS.Timeout; subs: Set<Subscription> }>();
  private readonly unlisten: () => void;

  constructor(private readonly ctx: ApiContext) {
    this.unlisten = ctx.events.listen((event) => this.onEvent(event));
  }

  /** Subscriptions a subscriber holds. */
  count(subscriber: Subscriber): number {
    return this.bySubscriber.get(subscriber)?.size ?? 0;
  }

  /**
   * Adds a subscription and sends its first stats snapshot and ports report
   * at once, so a dashboard never starts empty (the next report may be a
   * whole monitor interval away).
   */
  add(subscriber: Subscriber, topics: readonly Topic[], intervalMs: number): number {
    const sub: Subscription = {
      id: this.nextId++,
      subscriber,
      topics: new Set(topics),
      intervalMs,
      portsReportTime: -1,
    };
    for (const topic of sub.topics) {
      const set = this.byTopic.get(topic) ?? new Set<Subscription>();
      this.byTopic.set(topic, set);
      set.add(sub);
    }
    const own = this.bySubscriber.get(subscriber) ?? new Map<number, Subscription>();
    this.bySubscriber.set(subscriber, own);
    own.set(sub.id, sub);
    if (sub.topics.has('stats')) {
      this.addToTimer(sub);
      setImmediate(() => {
        if (own.has(sub.id)) {
          subscriber.push(
            sub.id,
            'stats',
            Buffer.from(JSON.stringify(buildSnapshot(this.ctx, subscriber.seesSensitive))),
          );
        }
      });
    }
    if (sub.topics.has('ports-report')) this.sendLatestReport(sub);
    return sub.id;
  }

  /**
   * The monitor's latest report (or a scan now, if it is older than the
   * interval) to a new subscription. Not before the next turn: a cached
   * report is at hand at once, and a push that overtook the subscribe's
   * response would reach a client that does not know the subscription yet.
   */
  private sendLatestReport(sub: Subscription): void {
    const latest = this.ctx.portsReport;
    if (latest === undefined) return;
    setImmediate(() => this.pushLatestReport(sub, latest));
  }

  private pushLatestReport(sub: Subscription, latest: () => Promise<PortsReport>): void {
    if (!this.isLive(sub)) return;
    latest().then(
      (report: PortsReport) => {
        // A scan published meanwhile may have reached it already (or a newer one).
        if (!this.isLive(sub) || sub.portsReportTime >= report.time) return;
        sub.portsReportTime = report.time;
        const event: StreamedEvent = { topic: 'ports-report', ...report };
        sub.subscriber.push(sub.id, 'ports-report', Buffer.from(JSON.stringify(event)));
      },
      (error: unknown) => this.ctx.log.warn({ err: error }, 'no ports report for a new subscription'),
    );
  }

  private isLive(sub: Subscription): boolean {
    return this.bySubscriber.get(sub.subscriber)?.get(sub.id) === sub;
  }

  /** Ends one subscription; false when the subscriber holds no such id. */
  remove(subscriber: Subscriber, id: number): boolean {
    const sub = this.bySubscriber.get(subscriber)?.get(id);
    if (sub === undefined) return false;
    this.drop(sub);
    return true;
  }

  /** Ends every subscription of a subscriber (it went away or was dropped). */
  removeAll(subscriber: Subscriber): void {
    for (const sub of [...(this.bySubscriber.get(subscriber)?.values() ?? [])]) this.drop(sub);
    this.bySubscriber.delete(subscriber);
  }

  close(): void {
    this.unlisten();
    for (const { timer } of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }

  private drop(sub: Subscription): void {
    for (const topic of sub.topics) this.byTopic.get(topic)?.delete(sub);
    this.bySubscriber.get(sub.subscriber)?.delete(sub.id);
    const group = this.timers.get(sub.intervalMs);
    if (group?.subs.delete(sub) && group.subs.size === 0) {
      clearInterval(group.timer);
      this.timers.delete(sub.intervalMs);
    }
  }

  private addToTimer(sub: Subscription): void {
    let group = this.timers.get(sub.intervalMs);
    if (group === undefined) {
      const subs = new Set<Subscription>();
      const timer = setInterval(() => this.tick(subs), sub.intervalMs);
      timer.unref();
      group = { timer, subs };
      this.timers.set(sub.intervalMs, group);
    }
    group.subs.add(sub);
  }

  private tick(subs: ReadonlySet<Subscription>): void {
    const snapshots = new Map<boolean, Buffer>();
    for (const sub of [...subs]) {
      const sensitive = sub.subscriber.seesSensitive;
      let data = snapshots.get(sensitive);
      if (data === undefined) {
        data = Buffer.from(JSON.stringify(buildSnapshot(this.ctx, sensitive)));
        snapshots.set(sensitive, data);
      }
      sub.subscriber.push(sub.id, 'stats', data);
    }
  }

  private onEvent(event: StreamedEvent): void {
    const subs = this.byTopic.get(event.topic);
    if (subs === undefined || subs.size === 0) return;
    const data = Buffer.from(JSON.stringify(event));
    for (const sub of [...subs]) {
      if (event.topic === 'ports-report') sub.portsReportTime = Math.max(sub.portsReportTime, event.time);
      sub.subscriber.push(sub.id, event.topic, data);
    }
  }
}
