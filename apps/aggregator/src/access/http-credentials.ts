/**
 * The tokens an HTTP request offers: `Authorization: Bearer TOKEN` (curl, scripts, the web UI), or
 * HTTP basic auth with the token as password and any user (`go tool pprof http://:TOKEN@host/…`,
 * browsers' own login prompt), since go tool pprof cannot send other headers.
 */
export function offeredTokens(authorization: string | undefined): string[] {
  if (authorization === undefined) return [];
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
  if (bearer) return [bearer[1].trim()];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? [] : [decoded.slice(colon + 1)];
  }
  return [];
}

/** Paths served without the API token: probes and Prometheus, which carry no user data. */
export function isOpenPath(path: string): boolean {
  return path === '/healthz' || path === '/readyz' || path === '/metrics';
}
