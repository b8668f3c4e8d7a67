/**
 * A structural check of protobuf bytes against the shape of pprof's profile.proto, run before
 * pprof-format decodes them. pprof-format trusts its input (a truncated varint or a length
 * running past the end is silently cut short, a wrong wire type is decoded as something else),
 * so garbage would otherwise turn into a plausible-looking profile. This walk rejects it with
 * the place and the reason.
 */

type FieldKind = 'varint' | 'packed' | 'bytes' | MessageShape;

interface MessageShape {
  readonly fields: Readonly<Record<number, readonly [name: string, kind: FieldKind]>>;
}

const V = 'varint';
const valueType: MessageShape = { fields: { 1: ['type', V], 2: ['unit', V] } };
const label: MessageShape = { fields: { 1: ['key', V], 2: ['str', V], 3: ['num', V], 4: ['num_unit', V] } };
const sample: MessageShape = { fields: { 1: ['location_id', 'packed'], 2: ['value', 'packed'], 3: ['label', label] } };
const mapping: MessageShape = {
  fields: {
    1: ['id', V], 2: ['memory_start', V], 3: ['memory_limit', V], 4: ['file_offset', V], 5: ['filename', V],
    6: ['build_id', V], 7: ['has_functions', V], 8: ['has_filenames', V], 9: ['has_line_numbers', V],
    10: ['has_inline_frames', V],
  },
};
const line: MessageShape = { fields: { 1: ['function_id', V], 2: ['line', V], 3: ['column', V] } };
const location: MessageShape = {
  fields: { 1: ['id', V], 2: ['mapping_id', V], 3: ['address', V], 4: ['line', line], 5: ['is_folded', V] },
};
const fn: MessageShape = {
  fields: { 1: ['id', V], 2: ['name', V], 3: ['system_name', V], 4: ['filename', V], 5: ['start_line', V] },
};
const profile: MessageShape = {
  fields: {
    1: ['sample_type', valueType], 2: ['sample', sample], 3: ['mapping', mapping], 4: ['location', location],
    5: ['function', fn], 6: ['string_table', 'bytes'], 7: ['drop_frames', V], 8: ['keep_frames', V],
    9: ['time_nanos', V], 10: ['duration_nanos', V], 11: ['period_type', valueType], 12: ['period', V],
    13: ['comment', 'packed'], 14: ['default_sample_type', V], 15: ['doc_url', V],
  },
};

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', '6', '7'];

/** Thrown by the walk; decode turns it into a PprofDecodeError. */
export class WireFormatError extends Error {}

/**
 * Where the walk is, for error messages: a chain from the message being read up to the root.
 * The walk runs over every byte the aggregator ingests, so on valid input it builds no string and
 * allocates only a node and two small closures per nested message; readVarint leaves the position
 * after it in `cursor`.
 */
interface Place {
  readonly parent: Place | undefined;
  /** "profile", or the field name that leads to this message, with its index among repeats. */
  readonly name: string;
  readonly index: number;
}

function describe(place: Place): string {
  const own = place.index >= 0 ? `${place.name}[${place.index}]` : place.name;
  return place.parent ? `${describe(place.parent)}.${own}` : own;
}

/** The place of a field inside `message`: its name (and index, for repeated messages), or its number when unknown. */
function describeField(message: Place, shape: MessageShape, field: number, index: number): string {
  const known = shape.fields[field];
  if (!known) return `${describe(message)} field ${field}`;
  return typeof known[1] === 'object' ? `${describe(message)}.${known[0]}[${index}]` : `${describe(message)}.${known[0]}`;
}

let cursor = 0;

/** Reads the varint at `pos` (exact up to 2^53), leaving the position after it in `cursor`; `where` names it in errors. */
function readVarint(buf: Uint8Array, pos: number, end: number, where: () => string): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) throw new WireFormatError(`${where()}: truncated varint at byte ${pos}`);
    const b = buf[pos + i];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) {
      cursor = pos + i + 1;
      return value;
    }
  }
  throw new WireFormatError(`${where()}: varint longer than 10 bytes at byte ${pos}`);
}

/** How many times each field number (1–15) occurred so far in the message being read, per nesting depth. */
const countsByDepth: Uint32Array[] = [];

function checkMessage(buf: Uint8Array, start: number, end: number, shape: MessageShape, place: Place, depth: number): void {
  const counts = (countsByDepth[depth] ??= new Uint32Array(16));
  counts.fill(0);
  // Error paths only: made once per message, called only when throwing.
  let field = 0;
  let index = 0;
  const inMessage = () => describe(place);
  const atField = () => describeField(place, shape, field, index);
  let pos = start;
  while (pos < end) {
    const tagAt = pos;
    const tag = readVarint(buf, pos, end, inMessage);
    const afterTag = cursor;
    field = Math.floor(tag / 8);
    const wire = tag % 8;
    const known = shape.fields[field];
    index = field < 16 ? counts[field]++ : 0;
    if (field === 0) throw new WireFormatError(`${inMessage()}: invalid field number 0 at byte ${tagAt}`);
    // pprof-format reads a tag as one byte and knows only varint and length-delimited values.
    if (!known && (field > 15 || (wire !== WIRE_VARINT && wire !== WIRE_LEN))) {
      throw new WireFormatError(`${atField()}: unsupported field (wire type ${WIRE_NAMES[wire]}) at byte ${tagAt}`);
    }
    const kind: FieldKind = known ? known[1] : wire === WIRE_VARINT ? 'varint' : 'bytes';
    const allowed = kind === 'varint' ? wire === WIRE_VARINT : kind === 'packed' ? wire === WIRE_VARINT || wire === WIRE_LEN : wire === WIRE_LEN;
    if (!allowed) {
      const expected = kind === 'varint' ? WIRE_VARINT : WIRE_LEN;
      throw new WireFormatError(`${atField()}: wire type ${WIRE_NAMES[wire]} where ${WIRE_NAMES[expected]} was expected, at byte ${tagAt}`);
    }
    if (wire === WIRE_VARINT) {
      readVarint(buf, afterTag, end, atField);
      pos = cursor;
      continue;
    }
    const length = readVarint(buf, afterTag, end, atField);
    const payload = cursor;
    if (length > end - payload) {
      throw new WireFormatError(`${atField()}: length ${length} runs past the end of its message at byte ${afterTag}`);
    }
    const payloadEnd = payload + length;
    if (kind === 'packed') {
      for (let at = payload; at < payloadEnd; at = cursor) readVarint(buf, at, payloadEnd, atField);
    } else if (typeof kind === 'object' && known) {
      checkMessage(buf, payload, payloadEnd, kind, { parent: place, name: known[0], index }, depth + 1);
    }
    pos = payloadEnd;
  }
}

/** Throws a WireFormatError if `buf` is not a structurally valid profile.proto message. */
export function checkProfileWireFormat(buf: Uint8Array): void {
  checkMessage(buf, 0, buf.length, profile, { parent: undefined, name: 'profile', index: -1 }, 0);
}
