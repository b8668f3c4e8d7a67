import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeferredStore, StoreNotOpenError } from './deferred-store';
import { openProfileStore } from './open-store';
import type { ProfileStore } from './profile-store';

describe('DeferredStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'deferred-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const range = { fromMs: 0, toMs: Date.now() + 1_000 };

  it('refuses calls until the store opens, retrying with backoff and saying each problem once', async () => {
    const logs: string[] = [];
    let attempts = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const store = new DeferredStore(
      async (): Promise<ProfileStore> => {
        attempts++;
        if (attempts < 4) throw new Error('connect ECONNREFUSED 127.0.0.1:8123');
        await released;
        return openProfileStore({ kind: 'duckdb', path: join(dir, 'store.duckdb') });
      },
      { log: (line) => logs.push(line), minDelayMs: 5, maxDelayMs: 20 },
    );
    try {
      await expect(store.ping()).rejects.toThrow(StoreNotOpenError);
      await expect(store.services(range)).rejects.toThrow(/not open yet: (opening|connect ECONNREFUSED 127\.0\.0\.1:8123)/);
      release();
      expect(await store.opened()).toBe(true);
      expect(attempts).toBe(4);
      expect(logs).toEqual(['store not open yet (retrying): connect ECONNREFUSED 127.0.0.1:8123', 'store opened after 4 attempts']);
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.services(range)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('close() stops the retries of a store that never opens', async () => {
    let attempts = 0;
    const store = new DeferredStore(
      () => {
        attempts++;
        return Promise.reject(new Error('down'));
      },
      { log: () => undefined, minDelayMs: 60_000 },
    );
    await store.close();
    expect(await store.opened()).toBe(false);
    expect(attempts).toBe(1);
    await expect(store.ping()).rejects.toThrow('the store is not open yet: down');
  });
});
