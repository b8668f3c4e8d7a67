/**
 * Parsers for the two text forms of Go's goroutine profile, as served by net/http/pprof:
 * `goroutine?debug=1` (stacks grouped by count; also `goroutineleak?debug=1`, `threadcreate?debug=1`)
 * and `goroutine?debug=2` (`runtime.Stack(all)`: one traceback per goroutine).
 *
 * Both are read tolerantly because their details move between Go releases (1.19 … 1.27): fields
 * before the status (`gp=… m=…`), labels, ` in goroutine N`, new wait reasons. A line that breaks
 * the structure (a frame with no location, a location with no frame, a block not starting with a
 * header) is an error naming the line; a line that is merely unknown is skipped and counted.
 */
import { parsePprofLabels, type PprofLabels } from './pprof-labels';

export interface Goroutine {
  readonly id: number;
  /**
   * Wait reason or scheduler status as printed: `chan receive`, `semacquire`, `sync.Mutex.Lock`,
   * `chan send (leaked)`, `running`… GC's transient ` (scan)` mark is removed so that grouping by
   * state does not split a stack in two.
   */
  readonly state: string;
  /** Minutes since the goroutine blocked; Go prints it only from 1 minute on, so 0 means "< 1 min or unknown". */
  readonly waitMinutes: number;
  readonly lockedToThread: boolean;
  /** Function names, root first (the dump prints them leaf first). */
  readonly frames: readonly string[];
  /** `file:line` of each frame, aligned with `frames`. */
  readonly locations: readonly string[];
  /** Go left frames out (`...additional frames elided...`, `...N frames elided...`). */
  readonly framesElided: boolean;
  /** The function whose `go` statement started this goroutine. */
  readonly createdBy?: string;
  /** `file:line` of that `go` statement. */
  readonly createdAt?: string;
  /** The creating goroutine's id (Go 1.21+ prints ` in goroutine N`). */
  readonly creatorGoroutine?: number;
  readonly labels?: PprofLabels;
}

export interface GoroutineDump {
  readonly goroutines: readonly Goroutine[];
  /**
   * The dump was cut short (runtime.Stack stops at 64 MiB, or the text ends mid-goroutine):
   * the incomplete last goroutine was dropped, and others may be missing.
   */
  readonly truncated: boolean;
  /** Lines of a form this parser does not know, skipped. */
  readonly skippedLines: number;
}

export interface ProfileGroup {
  /** Goroutines (or records) sharing this stack and these labels. */
  readonly count: number;
  /** Function names, root first; leading runtime frames are already hidden by Go in this format. */
  readonly frames: readonly string[];
  /** `file:line` of each frame, aligned with `frames`. */
  readonly locations: readonly string[];
  /** The raw program counters of the `@` line, leaf first, as printed. */
  readonly pcs: readonly string[];
  readonly labels?: PprofLabels;
}

export interface GoroutineProfile {
  /** The profile's name from its header: `goroutine`, `goroutineleak`, `threadcreate`… */
  readonly name: string;
  readonly total: number;
  readonly groups: readonly ProfileGroup[];
  readonly skippedLines: number;
}

export class GoroutineDumpError extends Error {
  override name = 'GoroutineDumpError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Thrown for a goroutine block that ends before its structure does: the sign of truncation. */
class IncompleteBlockError extends GoroutineDumpError {}

/** net/http/pprof's writeGoroutineStacks stops growing its buffer at 64 MiB and prints what fits. */
const RUNTIME_STACK_CAP_BYTES = 64 << 20;

// ---- goroutine?debug=1 ----

const PROFILE_HEADER = /^(\S+) profile: total (\d+)\s*$/;
const GROUP_HEADER = /^(\d+) @((?:\s+0x[0-9a-fA-F]+)*)\s*$/;
const LABELS_LINE = /^#\s*labels:\s*(.*)$/;

export function parseGoroutineProfileDebug1(text: string): GoroutineProfile {
  const lines = splitLines(text);
  const first = lines.findIndex((l) => l.trim() !== '');
  const header = first < 0 ? null : PROFILE_HEADER.exec(lines[first].trim());
  if (!header) {
    const hint = first >= 0 && DEBUG2_HEADER_START.test(lines[first]) ? ' (this is debug=2 output)' : '';
    throw new GoroutineDumpError(first + 1 || 1, `expected "<name> profile: total N"${hint}, got ${quote(lines[first] ?? '')}`);
  }

  const groups: ProfileGroup[] = [];
  let current: { count: number; pcs: string[]; frames: string[]; locations: string[]; labels?: PprofLabels } | undefined;
  let skippedLines = 0;
  const finish = (): void => {
    if (!current) return;
    groups.push({
      count: current.count,
      pcs: current.pcs,
      // Printed leaf first; every consumer wants root first.
      frames: current.frames.reverse(),
      locations: current.locations.reverse(),
      ...(current.labels ? { labels: current.labels } : {}),
    });
    current = undefined;
  };

  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') {
      finish();
      continue;
    }
    const group = GROUP_HEADER.exec(line);
    if (group) {
      finish();
      current = { count: Number(group[1]), pcs: group[2].trim().split(/\s+/).filter(Boolean), frames: [], locations: [] };
      continue;
    }
    if (!line.startsWith('#')) throw new GoroutineDumpError(i + 1, `expected "COUNT @ 0x…" or a "#" frame line, got ${quote(line)}`);
    if (!current) throw new GoroutineDumpError(i + 1, `frame line before any "COUNT @ 0x…" line: ${quote(line)}`);
    const labels = LABELS_LINE.exec(line);
    if (labels) {
      current.labels = parsePprofLabels(labels[1]);
      continue;
    }
    const frame = parseProfileFrame(line);
    if (!frame) {
      skippedLines++; // a comment line of a kind we do not know
      continue;
    }
    current.frames.push(frame.fn);
    current.locations.push(frame.location);
  }
  finish();
  return { name: header[1], total: Number(header[2]), groups, skippedLines };
}

/**
 * `#\t0xPC\tfunc+0xoff\tfile:line`, columns aligned by tabwriter with runs of tabs. Frames Go
 * could not symbolize print as `#\t0xPC` alone: they keep the PC as their name.
 */
function parseProfileFrame(line: string): { fn: string; location: string } | undefined {
  const parts = line.split(/\t+/);
  if (parts[0].trim() !== '#' || !/^0x[0-9a-fA-F]+$/.test(parts[1] ?? '')) return undefined;
  if (parts.length < 3) return { fn: parts[1], location: '' };
  const fnWithOffset = parts[2].trim();
  const plus = fnWithOffset.lastIndexOf('+0x');
  return { fn: plus > 0 ? fnWithOffset.slice(0, plus) : fnWithOffset, location: (parts[3] ?? '').trim() };
}

// ---- goroutine?debug=2 ----

const DEBUG2_HEADER_START = /^goroutine \d+\b/;
/** `pkg.func(args)`: the arguments never hold parentheses, so the call's are the last pair. */
const CALL_LINE = /^(\S.*)\(([^()]*)\)$/;
/** `\t/path/file.go:LINE`, then ` +0xOFF` unless inlined, then ` fp=… sp=… pc=…` at GOTRACEBACK≥system. */
const LOCATION_LINE = /^\s+(\S.*?:\d+)(?:\s.*)?$/;
const CREATED_BY_LINE = /^created by (.+?)(?: in goroutine (\d+))?\s*$/;
const ELIDED_LINE = /^\.\.\.(?:additional|\d+) frames elided\.\.\.$/;
const UNAVAILABLE_LINE = /^\s*goroutine running on other thread; stack unavailable$/;
/** GODEBUG=tracebackancestors: what follows is the creator's stack, not this goroutine's. */
const ANCESTOR_LINE = /^\[originating from goroutine \d+\]:$/;

export function parseGoroutineDumpDebug2(text: string): GoroutineDump {
  const lines = splitLines(text);
  const blocks = splitBlocks(lines);
  if (blocks.length === 0) throw new GoroutineDumpError(1, 'empty goroutine dump: expected "goroutine N [status]:"');

  let truncated = false;
  if (Buffer.byteLength(text, 'utf8') >= RUNTIME_STACK_CAP_BYTES) {
    // The cap cuts at an arbitrary byte: even a last block that parses may be missing frames.
    blocks.pop();
    truncated = true;
  }
  const endsWithNewline = text.endsWith('\n');
  const goroutines: Goroutine[] = [];
  let skippedLines = 0;
  for (let b = 0; b < blocks.length; b++) {
    const isLast = b === blocks.length - 1;
    try {
      const parsed = parseBlock(blocks[b], { isLast, lastLineMayBeCut: isLast && !endsWithNewline });
      goroutines.push(parsed.goroutine);
      skippedLines += parsed.skippedLines;
    } catch (err) {
      if (isLast && err instanceof IncompleteBlockError) {
        truncated = true;
        break;
      }
      throw err;
    }
  }
  return { goroutines, truncated, skippedLines };
}

interface Block {
  /** 0-based index of the block's first line in the text. */
  readonly start: number;
  readonly lines: readonly string[];
}

/** Goroutines are separated by blank lines; a header also starts a new one, blank line or not. */
function splitBlocks(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let current: { start: number; lines: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') {
      current = undefined;
    } else if (DEBUG2_HEADER_START.test(line)) {
      current = { start: i, lines: [line] };
      blocks.push(current);
    } else if (current) {
      current.lines.push(line);
    } else {
      const hint = PROFILE_HEADER.test(line.trim()) ? ' (this is debug=1 output)' : '';
      throw new GoroutineDumpError(i + 1, `expected "goroutine N [status]:"${hint}, got ${quote(line)}`);
    }
  }
  return blocks;
}

function parseBlock(
  block: Block,
  { isLast, lastLineMayBeCut }: { isLast: boolean; lastLineMayBeCut: boolean },
): { goroutine: Goroutine; skippedLines: number } {
  const lineNo = (i: number): number => block.start + i + 1;
  // A cut mid-line leaves a last line that can break any rule: that is truncation, not bad input.
  const fail = (i: number, message: string): GoroutineDumpError =>
    lastLineMayBeCut && i === block.lines.length - 1 ? new IncompleteBlockError(lineNo(i), message) : new GoroutineDumpError(lineNo(i), message);
  const header = parseHeader(block.lines[0]);
  if (!header) {
    if (lastLineMayBeCut && block.lines.length === 1) throw new IncompleteBlockError(lineNo(0), 'goroutine header cut short');
    throw new GoroutineDumpError(lineNo(0), `malformed goroutine header ${quote(block.lines[0])}`);
  }

  const frames: string[] = [];
  const locations: string[] = [];
  let createdBy: { fn: string; goroutine?: number; at?: string } | undefined;
  let framesElided = false;
  let unavailable = false;
  let skippedLines = 0;
  // What the previous line promised: the location of a frame, or of the `go` statement.
  let awaiting: 'frame-location' | 'creator-location' | undefined;
  let lastWasLocation = false;

  let i = 1;
  for (; i < block.lines.length; i++) {
    const line = block.lines[i];
    if (awaiting) {
      const location = LOCATION_LINE.exec(line);
      if (!location) {
        const what = awaiting === 'frame-location' ? frames[frames.length - 1] : `created by ${createdBy?.fn}`;
        throw fail(i, `expected "\\tfile:line" after ${quote(what)}, got ${quote(line)}`);
      }
      if (awaiting === 'frame-location') locations.push(location[1]);
      else if (createdBy) createdBy.at = location[1];
      awaiting = undefined;
      lastWasLocation = true;
      continue;
    }
    lastWasLocation = false;
    if (ANCESTOR_LINE.test(line)) break;
    if (ELIDED_LINE.test(line.trim())) {
      framesElided = true;
      continue;
    }
    if (UNAVAILABLE_LINE.test(line)) {
      unavailable = true;
      continue;
    }
    const creator = CREATED_BY_LINE.exec(line);
    if (creator) {
      createdBy = { fn: creator[1], ...(creator[2] ? { goroutine: Number(creator[2]) } : {}) };
      awaiting = 'creator-location';
      continue;
    }
    const call = CALL_LINE.exec(line);
    if (call) {
      frames.push(call[1]);
      awaiting = 'frame-location';
      continue;
    }
    if (LOCATION_LINE.test(line)) throw fail(i, `"file:line" with no function line before it: ${quote(line)}`);
    skippedLines++;
  }

  if (awaiting) throw new IncompleteBlockError(lineNo(i - 1), `goroutine ${header.id} ends before the "file:line" of its last line`);
  // Go always prints a frame (or says the stack is unavailable): a bare header ending the text
  // is where a cut fell.
  if (frames.length === 0 && !createdBy && !unavailable && isLast) {
    throw new IncompleteBlockError(lineNo(0), `goroutine ${header.id} has no frames`);
  }
  // A text cut mid-line leaves a partial last line that no pattern may recognise: only a complete
  // location line proves the block ended where Go ended it.
  if (lastLineMayBeCut && !lastWasLocation && i === block.lines.length) {
    throw new IncompleteBlockError(lineNo(i - 1), `goroutine ${header.id} is cut short`);
  }

  const goroutine: Goroutine = {
    id: header.id,
    state: header.state,
    waitMinutes: header.waitMinutes,
    lockedToThread: header.lockedToThread,
    frames: frames.reverse(),
    locations: locations.reverse(),
    framesElided,
    ...(createdBy ? { createdBy: createdBy.fn } : {}),
    ...(createdBy?.at ? { createdAt: createdBy.at } : {}),
    ...(createdBy?.goroutine !== undefined ? { creatorGoroutine: createdBy.goroutine } : {}),
    ...(header.labels ? { labels: header.labels } : {}),
  };
  return { goroutine, skippedLines };
}

interface Header {
  id: number;
  state: string;
  waitMinutes: number;
  lockedToThread: boolean;
  labels?: PprofLabels;
}

/**
 * `goroutine <id> [gp=… m=… ][<status>[ (leaked)][, N minutes][, locked to thread][ labels:{…}]][ {…}]:`
 * Anything between the id and `[` is skipped; labels are read inside or after the brackets.
 */
function parseHeader(line: string): Header | undefined {
  const m = /^goroutine (\d+)\b(.*)$/.exec(line.trimEnd());
  if (!m) return undefined;
  const rest = m[2];
  const open = rest.indexOf('[');
  const close = open < 0 ? -1 : closingBracket(rest, open);
  if (close < 0 || !rest.endsWith(':')) return undefined;

  let inside = rest.slice(open + 1, close);
  const after = rest.slice(close + 1, -1).trim();
  let labels = after ? parsePprofLabels(after) : undefined;
  const labelsAt = inside.search(/,?\s*labels:\s*\{/);
  if (labelsAt >= 0) {
    labels = parsePprofLabels(inside.slice(labelsAt)) ?? labels;
    inside = inside.slice(0, labelsAt);
  }

  const [status, ...attributes] = inside.split(',').map((s) => s.trim());
  const state = status.replace(/\s*\(scan\)/, '').trim();
  if (!state) return undefined;
  let waitMinutes = 0;
  let lockedToThread = false;
  for (const attribute of attributes) {
    const minutes = /^(\d+) minutes?$/.exec(attribute);
    if (minutes) waitMinutes = Number(minutes[1]);
    else if (attribute === 'locked to thread') lockedToThread = true;
    // Others (`synctest bubble N`, whatever later Go adds) say nothing we use.
  }
  return { id: Number(m[1]), state, waitMinutes, lockedToThread, ...(labels ? { labels } : {}) };
}

/** Index of the `]` closing the `[` at `open`, skipping quoted label text that may hold brackets. */
function closingBracket(text: string, open: number): number {
  let inQuote = false;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === ']') return i;
  }
  return -1;
}

// ---- shared ----

/** Lines without their terminators (`\n` or `\r\n`), without the empty string after a final newline. */
function splitLines(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function quote(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}
