import { promises as fs } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';

/** A TCP socket in LISTEN state, as the kernel lists it in /proc/<pid>/net/tcp or tcp6. */
export interface ListeningSocket {
  /** Canonical text form: "127.0.0.1", "0.0.0.0", "::", "::1", "::ffff:10.0.0.1". */
  readonly address: string;
  readonly port: number;
  /** Socket inode: matches the `socket:[inode]` links under /proc/<pid>/fd. */
  readonly inode: number;
  readonly family: 4 | 6;
}

const TCP_LISTEN = '0A';

/**
 * Parses the text of /proc/<pid>/net/tcp (family 4) or tcp6 (family 6) and keeps the listening
 * sockets. The kernel prints each 32-bit word of the address in host byte order, hence `byteOrder`.
 */
export function parseProcNetTcp(text: string, family: 4 | 6, byteOrder: 'LE' | 'BE' = endianness()): ListeningSocket[] {
  const hexLength = family === 4 ? 8 : 32;
  const sockets: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    // Fields: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== TCP_LISTEN) continue;
    const [addressHex, portHex] = fields[1].split(':');
    if (addressHex?.length !== hexLength || !/^[0-9A-Fa-f]+$/.test(addressHex) || !/^[0-9A-Fa-f]{4}$/.test(portHex ?? '')) continue;
    const inode = Number(fields[9]);
    if (!Number.isSafeInteger(inode) || inode <= 0) continue;
    const bytes = addressBytes(addressHex, byteOrder);
    sockets.push({ address: family === 4 ? bytes.join('.') : formatIPv6(bytes), port: parseInt(portHex, 16), inode, family });
  }
  return sockets;
}

/** The address in network order: every 4-byte word is reversed on a little-endian host. */
function addressBytes(hex: string, byteOrder: 'LE' | 'BE'): number[] {
  const raw = [...Buffer.from(hex, 'hex')];
  if (byteOrder === 'BE') return raw;
  const bytes: number[] = [];
  for (let word = 0; word < raw.length; word += 4) bytes.push(...raw.slice(word, word + 4).reverse());
  return bytes;
}

/** RFC 5952 text form (longest zero run compressed), with IPv4-mapped addresses in dotted form. */
export function formatIPv6(bytes: readonly number[]): string {
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) [bestStart, bestLength] = [i, end - i];
    i = end;
  }
  const hex = (g: number) => g.toString(16);
  if (bestLength < 2) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups.slice(bestStart + bestLength).map(hex).join(':');
  return `${head}::${tail}`;
}

/**
 * Listening TCP sockets of the network namespace `pid` lives in (use "self" for the agent's own).
 * Reading net/tcp needs no ptrace access; a missing tcp6 (IPv6 disabled) counts as empty.
 */
export async function readListeningSockets(pid: number | 'self', procRoot = '/proc'): Promise<ListeningSocket[]> {
  const read = async (name: 'tcp' | 'tcp6'): Promise<string> => {
    try {
      return await fs.readFile(join(procRoot, String(pid), 'net', name), 'utf8');
    } catch (err) {
      if (name === 'tcp6' && (err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  };
  const [tcp, tcp6] = await Promise.all([read('tcp'), read('tcp6')]);
  return [...parseProcNetTcp(tcp, 4), ...parseProcNetTcp(tcp6, 6)];
}
