import {
  optional,
  parseBytes,
  parseDuration,
  parseHostPort,
  parseHttpUrl,
  parseInteger,
  parseLabel,
  repeated,
  toggle,
  withDefault,
  type ConfigOf,
} from '@stackwatch/config';
import { parseEnvSelector } from './discover/env-selector';
import { parseRuleOverride } from './detect/rule-config';

const text = (s: string) => s;
const path = (s: string) => s;

/** Every option of stackwatch-agent; --help, env vars and config files all come from here. */
export const agentOptions = {
  aggregator: withDefault('aggregator gRPC address', 'HOST:PORT', parseHostPort, '127.0.0.1:7171'),
  token: optional('bearer token sent to the aggregator', 'TOKEN', text),
  tlsCa: optional('CA certificate (PEM) to verify the aggregator; enables TLS', 'FILE', path),
  tlsCert: optional('client certificate (PEM) for mutual TLS', 'FILE', path),
  tlsKey: optional('client private key (PEM) for mutual TLS', 'FILE', path),
  target: repeated('base URL of a Go process serving /debug/pprof/', 'URL', parseHttpUrl),
  pid: optional('pid of the single --target (else found from the listening socket)', 'PID', (s) => parseInteger(s, 1, 2 ** 22)),
  discover: toggle('find local Go programs serving /debug/pprof/ and watch them all', false),
  discoverEnv: repeated('with --discover, watch only processes whose environment has NAME (equal to VALUE when given); all must match', 'NAME[=VALUE]', parseEnvSelector),
  service: optional('service name (default: the process env STACKWATCH_SERVICE, else its executable name)', 'NAME', text),
  instance: optional('instance id (default: the process env POD_NAME or HOSTNAME, else host name + pid)', 'ID', text),
  label: repeated('label added to every target', 'KEY=VALUE', parseLabel),
  interval: withDefault('how often each target is sampled', 'DURATION', parseDuration, '1s'),
  metricsUrl: optional("the target's own Prometheus /metrics (for go_memstats_next_gc_bytes)", 'URL', parseHttpUrl),
  rule: repeated('override a rule field, e.g. cpu.abs=80, goroutines.cooldown=5m, memory.enabled=false', 'RULE.FIELD=VALUE', parseRuleOverride),
  ringSize: withDefault('samples in the moving average; no rule fires before it is full', 'N', (s) => parseInteger(s, 2, 1000), '10'),
  flightRecorder: toggle('keep the CPU profiler running in back-to-back windows', true),
  flightRecorderWindow: withDefault('length of one flight-recorder CPU window', 'DURATION', parseDuration, '10s'),
  baselineEvery: withDefault('period of baseline captures (heap, goroutine, CPU window); 0s disables', 'DURATION', parseDuration, '5m'),
  inspectEvery: withDefault('period of deadlock inspections (goroutine?debug=2); 0s disables', 'DURATION', parseDuration, '30s'),
  inspectMaxGoroutines: withDefault('skip inspections above this many goroutines (debug=2 stops the world)', 'N', (s) => parseInteger(s, 0), '20000'),
  deadlockAfter: withDefault('report goroutines stuck on a lock across inspections this far apart', 'DURATION', parseDuration, '30s'),
  spoolDir: withDefault('directory holding data until the aggregator acknowledges it', 'DIR', path, './stackwatch-spool'),
  spoolMaxBytes: withDefault('spool bound; past it the oldest data is dropped', 'SIZE', parseBytes, '256MiB'),
  metricsListen: withDefault('address of the /metrics and /healthz endpoint', 'HOST:PORT', parseHostPort, '127.0.0.1:7173'),
};

export type AgentConfig = ConfigOf<typeof agentOptions>;
