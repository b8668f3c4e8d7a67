import { networkInterfaces } from 'node:os';
import type { ListeningSocket } from './proc-net';

/** Addresses of this machine's interfaces (loopback included), in the form proc-net prints them. */
export function localInterfaceAddresses(): Set<string> {
  const addresses = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address.toLowerCase().replace(/%.*$/, ''));
  return new Set(addresses);
}

/**
 * The base URL to probe a listener of a process in the agent's network namespace at, or undefined
 * when its address is not on this machine: discovery never sends a request off the host. Wildcard
 * listeners are reached through IPv4 loopback (Go's `:PORT` listens dual-stack).
 */
export function listenerUrl(socket: ListeningSocket, local: ReadonlySet<string> = localInterfaceAddresses()): URL | undefined {
  let host = socket.address;
  if (host === '0.0.0.0' || host === '::') host = '127.0.0.1';
  else if (host.startsWith('::ffff:') && host.includes('.')) host = host.slice('::ffff:'.length);
  const loopback = /^127\./.test(host) || host === '::1';
  if (!loopback && !local.has(host)) return undefined;
  return new URL(`http://${host.includes(':') ? `[${host}]` : host}:${socket.port}/`);
}

/**
 * The URL of a listener of a process in another network namespace, reached through an address that
 * namespace owns (`addresses`, e.g. a pod IP): wildcard listeners through its first address,
 * listeners on one of its addresses through that one; loopback listeners are out of reach (that
 * namespace's loopback is not ours), and so is anything else.
 */
export function foreignListenerUrl(socket: ListeningSocket, addresses: readonly string[]): URL | undefined {
  let host = socket.address;
  if (host.startsWith('::ffff:') && host.includes('.')) host = host.slice('::ffff:'.length);
  if (host === '0.0.0.0' || host === '::') host = addresses[0];
  if (!addresses.includes(host)) return undefined;
  return new URL(`http://${host}:${socket.port}/`);
}
