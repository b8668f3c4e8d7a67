import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';

type Numeric = number | bigint;

/**
 * Hand-builds pprof protobufs for specs, at the level pprof itself works: functions, locations
 * whose `lines` are innermost-first (as pprof stores inlining) and samples whose locations are
 * leaf-first.
 */
export class RawProfileBuilder {
  readonly strings = new StringTable();
  private readonly functions: PprofFunction[] = [];
  private readonly functionIds = new Map<string, number>();
  private readonly locations: Location[] = [];
  private readonly samples: Sample[] = [];
  private header: Partial<Record<'period' | 'timeNanos' | 'durationNanos', Numeric>> = {};
  private periodType?: ValueType;
  private defaultSampleType?: number;

  constructor(private readonly sampleTypes: ReadonlyArray<readonly [type: string, unit: string]>) {}

  fn(name: string): number {
    let id = this.functionIds.get(name);
    if (id === undefined) {
      id = this.functions.length + 1;
      this.functionIds.set(name, id);
      this.functions.push(new PprofFunction({ id, name: this.strings.dedup(name), systemName: this.strings.dedup(name) }));
    }
    return id;
  }

  /**
   * A location whose `lines` are function names, innermost (inlined) first, caller last.
   * Lines get line numbers: pprof-format mis-sizes a sub-message whose fields are all zero.
   */
  location(lines: readonly string[], opts: { id?: number; address?: Numeric; functionIds?: Numeric[] } = {}): number {
    const id = opts.id ?? this.locations.length + 1;
    const functionIds = opts.functionIds ?? lines.map((name) => this.fn(name));
    this.locations.push(new Location({ id, address: opts.address ?? 0x1000 + id, line: functionIds.map((f, i) => new Line({ functionId: f, line: i + 1 })) }));
    return id;
  }

  /** `locationIds` leaf-first, as pprof stores them. */
  sample(locationIds: readonly Numeric[], values: readonly Numeric[]): this {
    this.samples.push(new Sample({ locationId: [...locationIds], value: [...values] }));
    return this;
  }

  /** Adds one location per frame (no inlining) and a sample; `rootFirst` like NormalizedProfile stacks. */
  stack(rootFirst: readonly string[], values: readonly Numeric[]): this {
    const ids = [...rootFirst].reverse().map((name) => this.location([name]));
    return this.sample(ids, values);
  }

  withHeader(h: { period?: Numeric; timeNanos?: Numeric; durationNanos?: Numeric; periodType?: [string, string]; defaultSampleType?: string }): this {
    this.header = { period: h.period, timeNanos: h.timeNanos, durationNanos: h.durationNanos };
    if (h.periodType) this.periodType = new ValueType({ type: this.strings.dedup(h.periodType[0]), unit: this.strings.dedup(h.periodType[1]) });
    if (h.defaultSampleType !== undefined) this.defaultSampleType = this.strings.dedup(h.defaultSampleType);
    return this;
  }

  build(): Profile {
    return new Profile({
      sampleType: this.sampleTypes.map(([type, unit]) => new ValueType({ type: this.strings.dedup(type), unit: this.strings.dedup(unit) })),
      sample: this.samples,
      location: this.locations,
      function: this.functions,
      stringTable: this.strings,
      ...this.header,
      ...(this.periodType ? { periodType: this.periodType } : {}),
      ...(this.defaultSampleType !== undefined ? { defaultSampleType: this.defaultSampleType } : {}),
    });
  }

  raw(): Uint8Array {
    return this.build().encode();
  }

  gzipped(): Buffer {
    return gzipSync(this.raw());
  }
}
