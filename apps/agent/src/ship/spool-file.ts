import { crc32 } from 'node:zlib';
import { open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * One spooled message = one file `<seq, 16 digits>.msg`, so the directory listing alone gives the
 * order, and an ack deletes exactly one file. Content: "SWS1", CRC-32 of the payload (big endian),
 * then the AgentMessage as the gRPC codec serializes it. The CRC catches what protobuf decoding
 * would accept silently (a flipped bit inside a bytes field of a profile).
 */
const MAGIC = Buffer.from('SWS1', 'latin1');
export const HEADER_BYTES = MAGIC.length + 4;
const ENTRY_NAME = /^(\d{16})\.msg$/;
export const TEMP_SUFFIX = '.tmp';

export function entryFileName(seq: number): string {
  return `${seq.toString().padStart(16, '0')}.msg`;
}

/** The sequence number in an entry's file name, or undefined for any other file. */
export function parseEntryFileName(name: string): number | undefined {
  const match = ENTRY_NAME.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(crc32(payload), MAGIC.length);
  return Buffer.concat([header, payload]);
}

/** The payload of a framed file; throws when the header or the checksum does not match. */
export function unframe(data: Buffer): Buffer {
  if (data.length < HEADER_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error('not a spool entry (bad header)');
  }
  const payload = data.subarray(HEADER_BYTES);
  if (crc32(payload) !== data.readUInt32BE(MAGIC.length)) throw new Error('checksum mismatch');
  return payload;
}

/**
 * Writes `name` so that it is either absent or complete after a crash: a temp file is written,
 * then renamed over the final name. With `sync` (the default) the temp file is fsynced before the
 * rename and the directory after it, so the file also survives a power cut; without, it survives
 * a crash of the process (the page cache keeps it) for half the file-system calls.
 */
export async function writeDurably(dir: string, name: string, data: Buffer | string, { sync = true }: { sync?: boolean } = {}): Promise<void> {
  const temp = join(dir, name + TEMP_SUFFIX);
  const handle = await open(temp, 'w');
  try {
    await writeFile(handle, data);
    if (sync) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, join(dir, name));
  if (sync) await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse to fsync a directory; the rename is then as durable as they allow.
  } finally {
    await handle?.close();
  }
}
