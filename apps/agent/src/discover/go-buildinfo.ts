import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/** What the Go linker recorded in a binary's build info blob. */
export interface GoBuildInfo {
  /** e.g. "go1.26.8"; undefined for pre-1.18 binaries whose blob only holds pointers. */
  readonly goVersion: string | undefined;
}

// Layout written by cmd/link (see debug/buildinfo): a 32-byte header of magic, pointer size and
// flags; with flag 0x2 (Go ≥ 1.18) the version follows inline as a uvarint-prefixed string.
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
const FLAG_INLINE_STRINGS = 0x2;
const ALIGN = 16;
/** Longest version string we accept ("devel go1.27-abcdef… +…" fits easily). */
const MAX_VERSION_LENGTH = 256;
/** Bytes scanned of the data segment when there is no .go.buildinfo section (the linker puts it first). */
const SEGMENT_SCAN_BYTES = 1024 * 1024;
const SCAN_CHUNK = 64 * 1024;
/** Bounds on header tables, so a corrupt file cannot make us read megabytes. */
const MAX_TABLE_BYTES = 1024 * 1024;

const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const SHT_NOBITS = 8;

interface ElfReader {
  readonly is64: boolean;
  readonly le: boolean;
  read(position: number, length: number): Promise<Buffer>;
}

/**
 * Reads only the ELF headers and the build info blob of `file` (binaries are tens of MB). Resolves
 * undefined when the file is not a Go ELF binary (garbage, scripts, C programs); rejects on I/O
 * errors (ENOENT, EACCES) so the caller can tell "not Go" from "cannot know".
 */
export async function readGoBuildInfo(file: string): Promise<GoBuildInfo | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    const ident = await read(0, 16);
    if (ident.length < 16 || ident.readUInt32BE(0) !== 0x7f454c46) return undefined;
    const elfClass = ident[4];
    const data = ident[5];
    if ((elfClass !== 1 && elfClass !== 2) || (data !== 1 && data !== 2)) return undefined;
    const elf: ElfReader = { is64: elfClass === 2, le: data === 1, read };
    const blob = (await blobFromSection(elf)) ?? (await blobFromSegment(elf));
    return blob ? decodeBlob(blob) : undefined;
  } finally {
    await handle.close();
  }
}

/** Build info of a running process, through its /proc/<pid>/exe link (needs ptrace access). */
export function readGoBuildInfoOfPid(pid: number, procRoot = '/proc'): Promise<GoBuildInfo | undefined> {
  return readGoBuildInfo(join(procRoot, String(pid), 'exe'));
}

function word(buf: Buffer, offset: number, elf: ElfReader): number {
  if (elf.is64) {
    const v = elf.le ? buf.readBigUInt64LE(offset) : buf.readBigUInt64BE(offset);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  return elf.le ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset);
}

function u16(buf: Buffer, offset: number, elf: ElfReader): number {
  return elf.le ? buf.readUInt16LE(offset) : buf.readUInt16BE(offset);
}

function u32(buf: Buffer, offset: number, elf: ElfReader): number {
  return elf.le ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset);
}

async function readHeader(elf: ElfReader): Promise<Buffer | undefined> {
  const header = await elf.read(0, elf.is64 ? 64 : 52);
  return header.length === (elf.is64 ? 64 : 52) ? header : undefined;
}

/** The first bytes of the `.go.buildinfo` section, if the binary has section headers. */
async function blobFromSection(elf: ElfReader): Promise<Buffer | undefined> {
  const header = await readHeader(elf);
  if (!header) return undefined;
  const shoff = word(header, elf.is64 ? 0x28 : 0x20, elf);
  const shentsize = u16(header, elf.is64 ? 0x3a : 0x2e, elf);
  const shnum = u16(header, elf.is64 ? 0x3c : 0x30, elf);
  const shstrndx = u16(header, elf.is64 ? 0x3e : 0x32, elf);
  const minEntry = elf.is64 ? 0x40 : 0x28;
  // shnum 0 means "none" or "more than 0xff00" (extended numbering): both fall back to segments.
  if (shoff === 0 || shnum === 0 || shstrndx >= shnum || shentsize < minEntry || shnum * shentsize > MAX_TABLE_BYTES) {
    return undefined;
  }
  const table = await elf.read(shoff, shnum * shentsize);
  if (table.length < shnum * shentsize) return undefined;
  const section = (i: number) => {
    const at = i * shentsize;
    return {
      name: u32(table, at, elf),
      type: u32(table, at + 4, elf),
      offset: word(table, at + (elf.is64 ? 0x18 : 0x10), elf),
      size: word(table, at + (elf.is64 ? 0x20 : 0x14), elf),
    };
  };
  const names = section(shstrndx);
  if (names.size > MAX_TABLE_BYTES) return undefined;
  const strtab = await elf.read(names.offset, names.size);
  const wanted = '.go.buildinfo';
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type === SHT_NOBITS) continue;
    const end = strtab.indexOf(0, s.name);
    if (strtab.toString('latin1', s.name, end < 0 ? strtab.length : end) !== wanted) continue;
    const blob = await elf.read(s.offset, Math.min(s.size, HEADER_SIZE + 10 + MAX_VERSION_LENGTH));
    return blob.subarray(0, MAGIC.length).equals(MAGIC) ? blob : undefined;
  }
  return undefined;
}

/** Without the section (stripped headers), the blob sits near the start of the first writable data segment. */
async function blobFromSegment(elf: ElfReader): Promise<Buffer | undefined> {
  const header = await readHeader(elf);
  if (!header) return undefined;
  const phoff = word(header, elf.is64 ? 0x20 : 0x1c, elf);
  const phentsize = u16(header, elf.is64 ? 0x36 : 0x2a, elf);
  const phnum = u16(header, elf.is64 ? 0x38 : 0x2c, elf);
  if (phoff === 0 || phnum === 0 || phentsize < (elf.is64 ? 0x38 : 0x20) || phnum * phentsize > MAX_TABLE_BYTES) return undefined;
  const table = await elf.read(phoff, phnum * phentsize);
  if (table.length < phnum * phentsize) return undefined;
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    const type = u32(table, at, elf);
    const flags = u32(table, at + (elf.is64 ? 4 : 0x18), elf);
    if (type !== PT_LOAD || (flags & (PF_W | PF_X)) !== PF_W) continue;
    const offset = word(table, at + (elf.is64 ? 8 : 4), elf);
    const fileSize = word(table, at + (elf.is64 ? 0x20 : 0x10), elf);
    return scanForMagic(elf, offset, Math.min(fileSize, SEGMENT_SCAN_BYTES));
  }
  return undefined;
}

/** Looks for the magic at 16-byte aligned offsets, chunk by chunk (overlapping by one blob). */
async function scanForMagic(elf: ElfReader, start: number, length: number): Promise<Buffer | undefined> {
  const blobLength = HEADER_SIZE + 10 + MAX_VERSION_LENGTH;
  for (let done = 0; done < length; done += SCAN_CHUNK) {
    const chunk = await elf.read(start + done, Math.min(SCAN_CHUNK + blobLength, length - done));
    for (let at = chunk.indexOf(MAGIC); at >= 0; at = chunk.indexOf(MAGIC, at + 1)) {
      if (at >= SCAN_CHUNK) break;
      if ((start + done + at) % ALIGN === 0) return chunk.subarray(at);
    }
    if (chunk.length < SCAN_CHUNK) break;
  }
  return undefined;
}

function decodeBlob(blob: Buffer): GoBuildInfo | undefined {
  if (blob.length < HEADER_SIZE || !blob.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const flags = blob[15];
  // Pre-1.18 blobs hold two pointers to Go strings in the data segment: still Go, version unknown.
  if ((flags & FLAG_INLINE_STRINGS) === 0) return { goVersion: undefined };
  const length = readUvarint(blob, HEADER_SIZE);
  if (!length || length.value === 0 || length.value > MAX_VERSION_LENGTH) return { goVersion: undefined };
  const start = HEADER_SIZE + length.size;
  if (start + length.value > blob.length) return { goVersion: undefined };
  return { goVersion: blob.toString('utf8', start, start + length.value) };
}

/** Unsigned LEB128, as Go's encoding/binary.Uvarint writes it (small values only: lengths). */
function readUvarint(buf: Buffer, offset: number): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5 && offset + i < buf.length; i++) {
    const byte = buf[offset + i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, size: i + 1 };
  }
  return undefined;
}
