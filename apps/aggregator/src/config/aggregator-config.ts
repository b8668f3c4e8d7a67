import { parseHostPort, withDefault, type ConfigOf } from '@stackwatch/config';

/** Every option of stackwatch-aggregator; --help, env vars and config files all come from here. */
export const aggregatorOptions = {
  httpListen: withDefault('address of the REST API, web UI, /metrics, /healthz and /readyz', 'HOST:PORT', parseHostPort, '127.0.0.1:7172'),
};

export type AggregatorConfig = ConfigOf<typeof aggregatorOptions>;
