import type { LoggerService } from '@nestjs/common';

/** Nest's own start-up chatter (modules loaded, routes mapped): not worth a line per start. */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'NestMicroservice']);

/**
 * The aggregator's log: one plain line per message on stderr (stdout stays free, as for the
 * agent), `TIME stackwatch-aggregator: Context: message`. Debug and verbose are dropped.
 */
export class StderrLogger implements LoggerService {
  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(line)) {}

  log(message: unknown, ...optional: unknown[]): void {
    const { context } = split(optional);
    if (context !== undefined && FRAMEWORK_CONTEXTS.has(context)) return;
    this.print('', message, context);
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.print('warning: ', message, split(optional).context);
  }

  error(message: unknown, ...optional: unknown[]): void {
    const { context, stack } = split(optional);
    this.print('error: ', message, context);
    if (stack) this.write(`${stack}\n`);
  }

  debug(): void {}

  verbose(): void {}

  private print(level: string, message: unknown, context: string | undefined): void {
    const text = message instanceof Error ? (message.stack ?? message.message) : typeof message === 'string' ? message : JSON.stringify(message);
    this.write(`${new Date().toISOString()} stackwatch-aggregator: ${context ? `${context}: ` : ''}${level}${text}\n`);
  }
}

/** Nest passes (context), (stack, context) or nothing after the message. */
function split(optional: readonly unknown[]): { context?: string; stack?: string } {
  const strings = optional.filter((p): p is string => typeof p === 'string');
  if (strings.length >= 2) return { stack: strings[0], context: strings[strings.length - 1] };
  return strings.length === 1 ? { context: strings[0] } : {};
}
