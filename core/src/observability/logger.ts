import pino, { type DestinationStream, type LogFn, type Logger, type LoggerOptions } from 'pino';
import { LogSampler, type LogSampling } from './log-sampler.ts';
import { requestIdLogFields } from './request-context.ts';

// pino's number for warn: warnings, errors and fatal lines are never sampled.
const WARN = 40;

/**
 * The server's logger: JSON lines, each carrying the id of the request being served (if any),
 * and lines below warn sampled per message when `logSampling` is set (log-sampler.ts). A line
 * written after some of its kind were left out says how many in `suppressed`. Lines go to
 * standard output unless `destination` says otherwise.
 */
export function createLogger(settings: { logLevel: string; logSampling: LogSampling | null }, destination?: DestinationStream): Logger {
  const sampler = settings.logSampling ? new LogSampler(settings.logSampling) : null;
  const options: LoggerOptions = {
    level: settings.logLevel,
    mixin: requestIdLogFields,
    ...(sampler && {
      hooks: {
        logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number) {
          if (level >= WARN) return method.apply(this, args);
          const suppressed = sampler.admit(`${level} ${messageOf(args)}`);
          if (suppressed === null) return;
          method.apply(this, suppressed > 0 ? withSuppressed(args, suppressed) : args);
        },
      },
    }),
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The message of a pino call: (message, …), (object, message, …) or (error). */
function messageOf(args: readonly unknown[]): string {
  const [first, second] = args;
  if (typeof first === 'string') return first;
  if (typeof second === 'string') return second;
  return first instanceof Error ? first.message : '';
}

function withSuppressed(args: Parameters<LogFn>, suppressed: number): Parameters<LogFn> {
  const [first, ...rest] = args as unknown[];
  if (first instanceof Error) return [{ err: first, suppressed }, ...rest] as Parameters<LogFn>;
  if (typeof first === 'object' && first !== null) return [{ ...first, suppressed }, ...rest] as Parameters<LogFn>;
  return [{ suppressed }, first, ...rest] as Parameters<LogFn>;
}
