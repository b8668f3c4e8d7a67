import 'reflect-metadata';
import { startQueryApp, unreachableStore, type QueryTestApp } from './__fixtures__/query-test-app';

/**
 * The HTTP contract of the query API's parameters: every malformed or unknown parameter is a 400
 * naming it, before the store is read (the store here fails the test if touched). Answers over
 * real data are tested in test/integration/aggregator/api*.test.ts against DuckDB and ClickHouse.
 */
describe('query API parameters', () => {
  let api: QueryTestApp;

  beforeAll(async () => {
    api = await startQueryApp(unreachableStore(), { maxRangeMs: 7 * 86_400_000 });
  });

  afterAll(async () => {
    await api.close();
  });

  async function expect400(path: string, message: string | RegExp): Promise<void> {
    const { status, body } = await api.get(path);
    expect({ path, status }).toEqual({ path, status: 400 });
    expect((body as { message: string }).message).toMatch(message);
  }

  it.each([
    ['/api/v1/services?servce=x', /^unknown parameter "servce"$/],
    ['/api/v1/instances?service=a&zone=b', /^unknown parameter "zone"$/],
    ['/api/v1/events?foo=1&bar=2', /unknown parameter "foo"; unknown parameter "bar"/],
    ['/api/v1/hotspots?service=a&sample_type=cpu', /^unknown parameter "sample_type"$/],
    ['/api/v1/diff?service=a&sort=self', /^unknown parameter "sort"$/],
    ['/api/v1/merged.pprof?service=a&hide=std', /^unknown parameter "hide"$/],
    ['/api/v1/merged.pprof?service=a&maxNodes=5', /^unknown parameter "maxNodes"$/],
  ])('refuses unknown parameters: %s', async (path, message) => {
    await expect400(path, message);
  });

  it.each(['abc', '0', '-1', '1.5', '1e3', '10001', ''])('refuses limit=%j', async (limit) => {
    await expect400(`/api/v1/profiles?limit=${limit}`, /^parameter "limit": /);
  });

  it('refuses a repeated parameter', async () => {
    await expect400('/api/v1/events?limit=1&limit=2', /^parameter "limit": /);
    await expect400('/api/v1/instances?service=a&service=b', /^parameter "service": service must be a string/);
  });

  it.each([
    ['/api/v1/services?from=yesterday', /^parameter "from": expected RFC 3339/],
    ['/api/v1/services?to=2026-02-30T00:00:00Z', /^parameter "to": expected RFC 3339/],
    ['/api/v1/events?from=now&to=now-1h', /^parameter "from": must be before to/],
    ['/api/v1/profiles?from=now-8d', /^parameter "from": the range from–to spans 8d, more than the 7d kept$/],
    ['/api/v1/hotspots?service=a&from=now-1x', /^parameter "from": expected/],
    ['/api/v1/diff?service=a&baseFrom=x&baseTo=now', /^parameter "baseFrom": expected/],
    ['/api/v1/diff?service=a&baseFrom=now-2h&baseTo=now-3h', /^parameter "baseFrom": must be before baseTo/],
    ['/api/v1/metrics/series?service=a&name=cpu_percent&from=now-30d', /^parameter "from": the range/],
  ])('refuses bad times: %s', async (path, message) => {
    await expect400(path, message);
  });

  it.each([
    ['/api/v1/profiles?type=cpux', /^parameter "type": type must be one of the following values: cpu, heap/],
    ['/api/v1/profiles?trigger=manual', /^parameter "trigger": trigger must be one of the following values: baseline, rule, analysis$/],
    ['/api/v1/events?kind=oom', /^parameter "kind": kind must be one of the following values/],
    ['/api/v1/hotspots?service=a&order=flat', /^parameter "order": order must be one of the following values: self, total$/],
    ['/api/v1/diff?service=a&order=flat', /^parameter "order": order must be one of the following values: self, total$/],
    ['/api/v1/hotspots?service=a&hide=runtime,a%20b', /^parameter "hide": "a b" is not a Go package path/],
    ['/api/v1/flamegraph?service=a&hide=', /^parameter "hide": hide must be longer than or equal to 1 characters$/],
    ['/api/v1/diff?service=a&hide=std,,runtime', /^parameter "hide": "" is not a Go package path/],
    ['/api/v1/flamegraph?service=a&maxNodes=1', /^parameter "maxNodes": maxNodes must not be less than 2$/],
    ['/api/v1/flamegraph?service=a&maxNodes=100001', /^parameter "maxNodes": maxNodes must not be greater than 100000$/],
    ['/api/v1/instances?service=', /^parameter "service": service must be longer than or equal to 1 characters$/],
    ['/api/v1/events?instance=a%0Ab', /^parameter "instance": instance must not contain control characters or lone surrogates$/],
  ])('refuses values outside their vocabulary or bounds: %s', async (path, message) => {
    await expect400(path, message);
  });

  it.each([
    ['/api/v1/hotspots', /^parameter "service": is required \(or name one profile with profile=\)$/],
    ['/api/v1/flamegraph?type=heap', /^parameter "service": is required/],
    ['/api/v1/merged.pprof', /^parameter "service": is required/],
    ['/api/v1/diff', /^parameter "service": is required \(or name one profile with profile=\)$/],
    ['/api/v1/functions/instances?service=a', /^parameter "function": function must be a string/],
    ['/api/v1/functions/instances?function=main.main', /^parameter "service": service must be a string/],
    ['/api/v1/metrics/series?service=a', /^parameter "name": name must be a string/],
  ])('refuses a missing required parameter: %s', async (path, message) => {
    await expect400(path, message);
  });

  it.each([
    ['/api/v1/diff?service=a&profile=p1', /^parameter "baseProfile": is required with profile=$/],
    ['/api/v1/diff?service=a&baseProfile=p0', /^parameter "profile": is required with baseProfile=$/],
    ['/api/v1/diff?baseProfile=p0&profile=p1&from=now-1h', /^parameter "from": cannot be combined with baseProfile= and profile=$/],
    ['/api/v1/diff?service=a&baseFrom=now-2h', /^parameter "baseTo": is required with baseFrom=$/],
    ['/api/v1/diff?service=a&baseTo=now-1h', /^parameter "baseFrom": is required with baseTo=$/],
    ['/api/v1/hotspots?profile=p1&from=now-1h', /^parameter "from": cannot be combined with profile=$/],
    ['/api/v1/merged.pprof?profile=p1&to=now', /^parameter "to": cannot be combined with profile=$/],
  ])('refuses inconsistent parameters: %s', async (path, message) => {
    await expect400(path, message);
  });

  it.each([
    ['x', /^parameter "step": expected seconds/],
    ['0.5', /^parameter "step": must be at least 1s/],
    ['1', /^parameter "step": "1" gives 86400 points over the range, more than 10000/],
  ])('refuses step=%j', async (step, message) => {
    await expect400(`/api/v1/metrics/series?service=a&name=cpu_percent&from=now-1d&step=${step}`, message);
  });

  it('answers with a JSON 400 body in Nest’s shape', async () => {
    const { status, body, headers } = await api.get('/api/v1/services?limit=x');
    expect(status).toBe(400);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'parameter "limit": limit must be an integer, limit must not be less than 1, limit must not be greater than 10000' });
  });

  it('times every endpoint, errors included, by route', async () => {
    await api.get('/api/v1/hotspots');
    const metrics = await api.metricsText();
    expect(metrics).toMatch(/^stackwatch_aggregator_query_duration_seconds_count\{endpoint="\/api\/v1\/hotspots"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^stackwatch_aggregator_query_duration_seconds_bucket\{le="0\.005",endpoint="\/api\/v1\/services"\} \d+$/m);
  });
});
