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

/** Returns the position after the varint at `pos`, and its value (exact up to 2^53). */
function readVarint(buf: Uint8Array, pos: number, end: number, path: string): [next: number, value: number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) throw new WireFormatError(`${path}: truncated varint at byte ${pos}`);
    const b = buf[pos + i];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return [pos + i + 1, value];
  }
  throw new WireFormatError(`${path}: varint longer than 10 bytes at byte ${pos}`);
}

function checkPacked(buf: Uint8Array, pos: number, end: number, path: string): void {
  while (pos < end) [pos] = readVarint(buf, pos, end, path);
}

function checkMessage(buf: Uint8Array, start: number, end: number, shape: MessageShape, path: string): void {
  const counts = new Map<number, number>();
  let pos = start;
  while (pos < end) {
    const tagAt = pos;
    const [afterTag, tag] = readVarint(buf, pos, end, path);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    const known = shape.fields[field];
    const n = counts.get(field) ?? 0;
    counts.set(field, n + 1);
    const where = known ? `${path}.${known[0]}` : `${path} field ${field}`;
    const at = known && typeof known[1] === 'object' ? `${where}[${n}]` : where;
    if (field === 0) throw new WireFormatError(`${path}: invalid field number 0 at byte ${tagAt}`);
    // pprof-format reads a tag as one byte and knows only varint and length-delimited values.
    if (!known && (field > 15 || (wire !== WIRE_VARINT && wire !== WIRE_LEN))) {
      throw new WireFormatError(`${where}: unsupported field (wire type ${WIRE_NAMES[wire]}) at byte ${tagAt}`);
    }
    const kind: FieldKind = known ? known[1] : wire === WIRE_VARINT ? 'varint' : 'bytes';
    const expected = kind === 'varint' ? [WIRE_VARINT] : kind === 'packed' ? [WIRE_VARINT, WIRE_LEN] : [WIRE_LEN];
    if (!expected.includes(wire)) {
      throw new WireFormatError(
        `${at}: wire type ${WIRE_NAMES[wire]} where ${WIRE_NAMES[expected[expected.length - 1]]} was expected, at byte ${tagAt}`,
      );
    }
    if (wire === WIRE_VARINT) {
      [pos] = readVarint(buf, afterTag, end, at);
      continue;
    }
    const [payload, length] = readVarint(buf, afterTag, end, at);
    if (length > end - payload) {
      throw new WireFormatError(`${at}: length ${length} runs past the end of its message at byte ${afterTag}`);
    }
    const payloadEnd = payload + length;
    if (kind === 'packed') checkPacked(buf, payload, payloadEnd, at);
    else if (typeof kind === 'object') checkMessage(buf, payload, payloadEnd, kind, at);
    pos = payloadEnd;
  }
}

/** Throws a WireFormatError if `buf` is not a structurally valid profile.proto message. */
export function checkProfileWireFormat(buf: Uint8Array): void {
  checkMessage(buf, 0, buf.length, profile, 'profile');
}
