import { parseDuration, parseHostPort, parseHttpUrl, repeated, withDefault, type ConfigOf } from '@stackwatch/config';

/** Every option of stackwatch-agent; --help, env vars and config files all come from here. */
export const agentOptions = {
  target: repeated('base URL of a Go process serving /debug/pprof/', 'URL', parseHttpUrl),
  interval: withDefault('how often each target is sampled', 'DURATION', parseDuration, '1s'),
  metricsListen: withDefault('address of the /metrics and /healthz endpoint', 'HOST:PORT', parseHostPort, '127.0.0.1:7173'),
};

export type AgentConfig = ConfigOf<typeof agentOptions>;
