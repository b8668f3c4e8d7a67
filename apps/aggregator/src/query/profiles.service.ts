import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { decodeProfile, encodeProfile, mergeProfiles, type NormalizedProfile } from '@stackwatch/pprof';
import { PROFILE_STORE, type ProfileMeta, type ProfileStore, type StoredTrigger } from '../store/profile-store';
import type { MergedPprofQuery } from './dto/aggregate.dto';
import type { ProfilesQuery } from './dto/profiles.dto';
import { DEFAULT_LIMIT } from './dto/query-params';
import { quoted } from './invalid-parameter';
import { QUERY_OPTIONS, type QueryOptions } from './query-options';
import { StackAggregateService } from './stack-aggregate.service';
import { resolveTimeRange, retentionWindow, toRfc3339 } from './time-range';

export interface ProfileView {
  readonly id: string;
  readonly service: string;
  readonly instance: string;
  readonly type: string;
  /** Start, RFC 3339. */
  readonly time: string;
  readonly timeMs: number;
  readonly durationMs: number;
  readonly trigger: StoredTrigger;
  readonly sampleTypes: ProfileMeta['sampleTypes'];
  readonly labels: ProfileMeta['labels'];
  readonly pid: number;
  readonly goVersion: string;
}

/** Bytes to download and the file name to offer. */
export interface PprofFile {
  readonly bytes: Uint8Array;
  readonly fileName: string;
}

export interface MergedPprofFile extends PprofFile {
  /** Profiles merged. */
  readonly profiles: number;
  /** Matching profiles left out: over `limit`, or with other sample types than the newest. */
  readonly skipped: number;
}

// Original profiles read and decoded at a time while merging.
const FETCH_CHUNK = 8;

/** Profile listings, downloads of the original bytes, and merges of originals into one pprof. */
@Injectable()
export class ProfilesService {
  constructor(
    @Inject(PROFILE_STORE) private readonly store: ProfileStore,
    @Inject(QUERY_OPTIONS) private readonly options: QueryOptions,
    private readonly aggregates: StackAggregateService,
  ) {}

  async list(query: ProfilesQuery): Promise<ProfileView[]> {
    const range = resolveTimeRange(query.from, query.to, { nowMs: this.options.now(), maxRangeMs: this.options.maxRangeMs });
    const rows = await this.store.profiles({
      ...range,
      service: query.service,
      instance: query.instance,
      type: query.type,
      trigger: query.trigger,
      limit: query.limit ?? DEFAULT_LIMIT,
    });
    return rows.map(profileView);
  }

  /** The profile exactly as the target served it (gzipped pprof); 404 when unknown or past retention. */
  async original(id: string): Promise<PprofFile> {
    const record = await this.store.profile(id, retentionWindow(this.options.now(), this.options.maxRangeMs));
    if (!record) throw new NotFoundException(`profile ${quoted(id)} not found`);
    return { bytes: record.pprofGzip, fileName: fileName([record.service, record.instance, record.type, record.id]) };
  }

  /**
   * The newest `limit` matching profiles merged from their original bytes (decoded, summed by
   * stack, re-encoded): what `go tool pprof a.pb.gz b.pb.gz …` would show. Its default sample
   * type is the one asked for, so pprof opens on it. 404 when nothing matches.
   */
  async merged(query: MergedPprofQuery): Promise<MergedPprofFile> {
    const scope = await this.aggregates.scope(query);
    const { sampleType } = this.aggregates.sampleTypeOf(scope, query.sampleType);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const metas = await this.store.profiles({
      ...scope.range,
      service: scope.service,
      instance: scope.instance,
      type: scope.profileType,
      ...(scope.profile ? { ids: [scope.profile.id] } : {}),
      limit: limit + 1,
    });
    const chosen = metas.slice(0, limit);
    // Profiles of different Go versions can list other sample types; pprof cannot merge those.
    const shape = chosen[0] ? sampleTypesKey(chosen[0]) : '';
    const mergeable = chosen.filter((m) => sampleTypesKey(m) === shape);
    const within = retentionWindow(this.options.now(), this.options.maxRangeMs);
    // Fetched a few at a time and folded into one running merge, so memory holds one chunk of
    // decoded profiles, not all of them (a merge is associative: sums, earliest start, latest end).
    let merged: NormalizedProfile | undefined;
    let count = 0;
    for (let i = 0; i < mergeable.length; i += FETCH_CHUNK) {
      const records = await Promise.all(mergeable.slice(i, i + FETCH_CHUNK).map((m) => this.store.profile(m.id, within)));
      // A profile dropped by retention between the listing and now is simply left out.
      const decoded = records.filter((r) => r !== undefined).map((r) => decodeProfile(r.pprofGzip));
      if (decoded.length === 0) continue;
      count += decoded.length;
      merged = mergeProfiles(merged ? [merged, ...decoded] : decoded);
    }
    if (!merged) throw new NotFoundException(`no ${scope.profileType} profiles of service ${quoted(scope.service)} in the range`);
    const bytes = encodeProfile({ ...merged, defaultSampleType: sampleType });
    return {
      bytes,
      fileName: fileName([scope.service, scope.instance ?? 'all', scope.profileType, 'merged']),
      profiles: count,
      skipped: metas.length - count,
    };
  }
}

function sampleTypesKey(meta: ProfileMeta): string {
  return meta.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(',');
}

/** A safe download name: `checkout-pod-1-cpu-<id>.pb.gz`, other characters replaced by `_`. */
export function fileName(parts: readonly string[]): string {
  return `${parts.map((p) => p.replace(/[^A-Za-z0-9._-]+/g, '_')).join('-').slice(0, 200)}.pb.gz`;
}

export function profileView(meta: ProfileMeta): ProfileView {
  return {
    id: meta.id,
    service: meta.service,
    instance: meta.instance,
    type: meta.type,
    time: toRfc3339(meta.startMs),
    timeMs: meta.startMs,
    durationMs: meta.durationMs,
    trigger: meta.trigger,
    sampleTypes: meta.sampleTypes,
    labels: meta.labels,
    pid: meta.pid,
    goVersion: meta.goVersion,
  };
}
