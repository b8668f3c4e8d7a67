import type { AgentMessage } from '@stackwatch/contract';
import { Discoverer, portOwnerResolver, resolveStaticTargets, type EnvSelector, type IdentityOptions } from '../discover';
import type { AgentMetrics } from '../observe/agent-metrics';
import type { WatchedTarget } from '../target';
import { every } from '../timing';
import { TargetWatcher, type WatchSettings } from './target-watcher';

export interface AgentOptions {
  readonly targets: readonly URL[];
  readonly pid?: number;
  readonly discover: boolean;
  readonly discoverEnv?: readonly EnvSelector[];
  readonly identity: IdentityOptions;
  readonly watch: WatchSettings;
  readonly send: (message: AgentMessage) => Promise<void>;
  readonly metrics: AgentMetrics;
  readonly log: (line: string) => void;
}

/** Keeps one TargetWatcher per target: the --target list, and/or what --discover finds. */
export class Agent {
  private readonly watchers = new Map<string, TargetWatcher>();
  private discoverer: Discoverer | undefined;
  private readonly abort = new AbortController();
  private ticker: Promise<void> = Promise.resolve();

  constructor(private readonly options: AgentOptions) {}

  async start(): Promise<void> {
    const { targets, pid, identity, log } = this.options;
    for (const target of await resolveStaticTargets(targets, { identity, ...(pid !== undefined ? { pid } : {}) })) {
      this.add(target);
    }
    const { intervalMs } = this.options.watch;
    this.ticker = every(this.abort.signal, 0, () => intervalMs, async () => {
      const now = Date.now();
      await Promise.all([...this.watchers.values()].map((w) => w.tick(now)));
    });
    if (this.options.discover) {
      this.discoverer = new Discoverer(
        { onAdded: (target) => this.add(target), onRemoved: (key) => void this.remove(key) },
        { identity, log, env: this.options.discoverEnv ?? [] },
      );
      this.discoverer.start();
    }
  }

  /** The targets watched now. */
  targets(): WatchedTarget[] {
    return [...this.watchers.values()].map((w) => w.target);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.ticker;
    await this.discoverer?.stop();
    await Promise.all([...this.watchers.keys()].map((key) => this.remove(key)));
  }

  private add(target: WatchedTarget): void {
    if (this.watchers.has(target.key)) return;
    const { identity } = target;
    this.options.log(
      `watching ${target.key} (service ${identity.service}, instance ${identity.instance}, pid ${target.pid ?? 'unknown'}, ${target.goVersion ?? 'Go version unknown'})`,
    );
    const watcher = new TargetWatcher(target, this.options.watch, {
      send: this.options.send,
      metrics: this.options.metrics,
      log: this.options.log,
      resolvePid: portOwnerResolver(target.url),
    });
    this.watchers.set(target.key, watcher);
    this.options.metrics.targets.set(this.watchers.size);
    watcher.start();
  }

  private async remove(key: string): Promise<void> {
    const watcher = this.watchers.get(key);
    if (!watcher) return;
    this.watchers.delete(key);
    this.options.metrics.targets.set(this.watchers.size);
    await watcher.stop();
    this.options.metrics.forgetTarget(key, watcher.target.identity);
    this.options.log(`stopped watching ${key}`);
  }
}
