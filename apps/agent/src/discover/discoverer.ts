import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readProcStat } from '../sample/proc-stat';
import type { WatchedTarget } from '../target';
import { readGoBuildInfoOfPid } from './go-buildinfo';
import { foreignListenerUrl, listenerUrl, localInterfaceAddresses } from './listener-url';
import { readNamespaceAddresses } from './namespace-addresses';
import { matchesEnv, type EnvSelector } from './env-selector';
import { parseEnviron, resolveIdentity, type IdentityOptions } from './process-info';
import { probePprofIndex } from './pprof-probe';
import { readListeningSockets } from './proc-net';
import { listPids, socketInodesOf } from './socket-owner';

export interface DiscoveryListener {
  onAdded(target: WatchedTarget): void;
  onRemoved(key: string): void;
}

export interface DiscovererOptions {
  readonly identity: IdentityOptions;
  /** Pause between the end of one scan and the start of the next; default 2 s. */
  readonly intervalMs?: number;
  /** Bound on one /debug/pprof/ probe; default 1 s. */
  readonly probeTimeoutMs?: number;
  readonly procRoot?: string;
  /** Never watched; default process.pid. */
  readonly selfPid?: number;
  /** Watch only processes whose environment matches all of these (`--discover-env`). */
  readonly env?: readonly EnvSelector[];
  /** One line per noteworthy decision (a Go process skipped and why); each said once per process. */
  readonly log?: (line: string) => void;
}

/** Marks, in `probed`, that the loopback-only notice of a foreign process was logged. */
const LOOPBACK_ONLY = 'loopback-only';

/** A port that never answered after this many scans is left alone (it is not HTTP, or hangs). */
const MAX_PROBE_ATTEMPTS = 3;

/** What the discoverer knows of one process instance (pid + start time + executable). */
interface Seen {
  readonly pid: number;
  /** Changes when the pid is reused or the process exec()s another binary. */
  readonly incarnation: string;
  /** Go and readable: worth probing. */
  readonly watchable: boolean;
  /**
   * Set for a process in another network namespace (a pod, seen from a node's agent): the
   * addresses that namespace owns, through which its wildcard listeners are reached. Its
   * loopback is not ours, so loopback-only listeners there are out of reach.
   */
  readonly foreignAddresses?: readonly string[];
  readonly goVersion?: string;
  /** Listener URL → probe attempts so far, or 'no' once it answered with something else than pprof. */
  readonly probed: Map<string, number | 'no'>;
  target?: WatchedTarget;
}

/**
 * `--discover`: scans /proc for Go processes, probes their listening ports for /debug/pprof/ and
 * reports targets as they appear and disappear. Scans never overlap; the timer does not keep the
 * process alive.
 */
export class Discoverer {
  private readonly seen = new Map<number, Seen>();
  private readonly intervalMs: number;
  private readonly probeTimeoutMs: number;
  private readonly procRoot: string;
  private readonly selfPid: number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = true;
  private ownNetNs: Promise<string | undefined> | undefined;

  constructor(
    private readonly listener: DiscoveryListener,
    private readonly options: DiscovererOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
    this.procRoot = options.procRoot ?? '/proc';
    this.selfPid = options.selfPid ?? process.pid;
  }

  /** Targets currently watched. */
  targets(): WatchedTarget[] {
    return [...this.seen.values()].flatMap((s) => (s.target ? [s.target] : []));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = () => {
      this.inFlight = this.scanOnce().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs).unref();
      });
    };
    loop();
  }

  /** Stops scanning; resolves once the scan in flight has finished. Targets are not reported removed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  /**
   * One pass over /proc. Removals are reported before additions, because a restarted service often
   * comes back on the same URL (the same key) within one interval. Never rejects.
   */
  async scanOnce(): Promise<void> {
    try {
      await this.scan();
    } catch (err) {
      this.log(`discover: scan failed: ${(err as Error).message}`);
    }
  }

  private async scan(): Promise<void> {
    const pids = (await listPids(this.procRoot)).filter((pid) => pid !== this.selfPid);
    const incarnations = new Map<number, string>();
    await Promise.all(
      pids.map(async (pid) => {
        const incarnation = await this.incarnationOf(pid);
        if (incarnation !== undefined) incarnations.set(pid, incarnation);
      }),
    );
    for (const seen of [...this.seen.values()]) {
      if (incarnations.get(seen.pid) !== seen.incarnation) this.forget(seen);
    }
    await Promise.all(
      [...incarnations].map(async ([pid, incarnation]) => {
        if (!this.seen.has(pid)) this.seen.set(pid, await this.inspect(pid, incarnation));
      }),
    );

    const watchable = [...this.seen.values()].filter((s) => s.watchable);
    const listeners = await Promise.all(watchable.map((seen) => this.listenersOf(seen)));
    watchable.forEach((seen, i) => {
      const urls = listeners[i];
      if (seen.target && urls && !urls.some((u) => u.href === seen.target?.url.href)) this.removeTarget(seen);
    });
    await Promise.all(
      watchable.map(async (seen, i) => {
        const urls = listeners[i];
        if (urls && !seen.target) await this.probe(seen, urls);
      }),
    );
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Start time plus the executable's inode: a reused pid or an exec() makes a new incarnation. */
  private async incarnationOf(pid: number): Promise<string | undefined> {
    let startTime: number;
    try {
      startTime = (await readProcStat(pid, this.procRoot)).startTimeTicks;
    } catch {
      return undefined; // exited meanwhile
    }
    const exe = await fs.stat(join(this.procRoot, String(pid), 'exe')).catch(() => undefined);
    return `${startTime}:${exe ? `${exe.dev}:${exe.ino}` : '?'}`;
  }

  private async inspect(pid: number, incarnation: string): Promise<Seen> {
    const skip: Seen = { pid, incarnation, watchable: false, probed: new Map() };
    const buildInfo = await readGoBuildInfoOfPid(pid, this.procRoot).catch(() => undefined);
    if (!buildInfo) return skip;
    const [theirs, ours] = await Promise.all([this.netNsOf(String(pid)), (this.ownNetNs ??= this.netNsOf('self'))]);
    if (theirs === undefined) {
      this.log(`discover: pid ${pid} (${buildInfo.goVersion ?? 'go'}): network namespace unreadable: not probed`);
      return skip;
    }
    // Its 127.0.0.1 is not ours in another network namespace: only its own addresses reach it.
    let foreignAddresses: string[] | undefined;
    if (ours !== undefined && theirs !== ours) {
      foreignAddresses = await readNamespaceAddresses(pid, this.procRoot);
      if (foreignAddresses.length === 0) {
        this.log(`discover: pid ${pid} (${buildInfo.goVersion ?? 'go'}) is in another network namespace with no address but loopback: not reachable from here`);
        return skip;
      }
    }
    const selectors = this.options.env ?? [];
    if (selectors.length > 0) {
      const environ = await fs.readFile(join(this.procRoot, String(pid), 'environ')).catch(() => undefined);
      if (!environ) {
        this.log(`discover: pid ${pid} (${buildInfo.goVersion ?? 'go'}): environment unreadable, cannot match --discover-env: not watched`);
        return skip;
      }
      if (!matchesEnv(parseEnviron(environ), selectors)) return skip;
    }
    return { pid, incarnation, watchable: true, goVersion: buildInfo.goVersion, probed: new Map(), ...(foreignAddresses ? { foreignAddresses } : {}) };
  }

  private netNsOf(pid: string): Promise<string | undefined> {
    return fs.readlink(join(this.procRoot, pid, 'ns', 'net')).catch(() => undefined);
  }

  /** URLs of the listening sockets the process itself holds; undefined if it exited meanwhile. */
  private async listenersOf(seen: Seen): Promise<URL[] | undefined> {
    try {
      const [sockets, owned] = await Promise.all([readListeningSockets(seen.pid, this.procRoot), socketInodesOf(seen.pid, this.procRoot)]);
      const local = localInterfaceAddresses();
      const unique = new Map<string, URL>();
      for (const socket of sockets.filter((s) => owned.has(s.inode)).sort((a, b) => a.port - b.port)) {
        const url = seen.foreignAddresses ? foreignListenerUrl(socket, seen.foreignAddresses) : listenerUrl(socket, local);
        if (url) unique.set(url.href, url);
      }
      if (seen.foreignAddresses && unique.size === 0 && sockets.length > 0 && !seen.probed.has(LOOPBACK_ONLY)) {
        seen.probed.set(LOOPBACK_ONLY, 'no');
        this.log(`discover: pid ${seen.pid} listens only on loopback in its own network namespace: not reachable from here (use a sidecar agent)`);
      }
      return [...unique.values()];
    } catch {
      return undefined; // exited meanwhile: the next scan forgets it
    }
  }

  /** Probes listeners not yet ruled out; the lowest port serving pprof becomes the target. */
  private async probe(seen: Seen, urls: readonly URL[]): Promise<void> {
    const candidates = urls.filter((u) => {
      const attempts = seen.probed.get(u.href) ?? 0;
      return attempts !== 'no' && attempts < MAX_PROBE_ATTEMPTS;
    });
    if (candidates.length === 0) return;
    const results = await Promise.all(candidates.map((u) => probePprofIndex(u, this.probeTimeoutMs)));
    candidates.forEach((u, i) => {
      const attempts = seen.probed.get(u.href) ?? 0;
      if (results[i] === 'other') seen.probed.set(u.href, 'no');
      else if (results[i] === 'unreachable' && attempts !== 'no') seen.probed.set(u.href, attempts + 1);
    });
    const found = candidates.find((_, i) => results[i] === 'pprof');
    if (!found) return;
    const identity = await resolveIdentity(seen.pid, this.options.identity, this.procRoot);
    // A listener inherited across fork is held by parent and child alike: one target per URL.
    const taken = this.targets().some((t) => t.key === found.origin);
    if (this.seen.get(seen.pid) !== seen || seen.target || taken) return;
    seen.target = Object.freeze({ key: found.origin, url: found, pid: seen.pid, goVersion: seen.goVersion, identity });
    this.notify(() => this.listener.onAdded(seen.target as WatchedTarget));
  }

  /** A throwing listener must not break discovery. */
  private notify(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.log(`discover: listener failed: ${(err as Error).message}`);
    }
  }

  private removeTarget(seen: Seen): void {
    const target = seen.target;
    if (!target) return;
    seen.target = undefined;
    seen.probed.clear();
    this.notify(() => this.listener.onRemoved(target.key));
  }

  private forget(seen: Seen): void {
    this.seen.delete(seen.pid);
    this.removeTarget(seen);
  }
}
