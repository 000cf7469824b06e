import type { Logger } from 'pino';

export interface GoneStdout {
  /** Where to say, once, that stdout is gone: now if it already is, else when it goes. */
  logTo(logger: Logger): void;
}

/**
 * stdout carries only the ready lines; a supervisor that closed it (EPIPE on the ready line)
 * must not reach the uncaught-exception handler, nor stop the relay. As the console log
 * stream does with a gone stderr, later lines are dropped (the stream is destroyed by its
 * error) and the relay says so once, to its log file when it has one.
 */
export function watchGoneStdout(stdout: NodeJS.WriteStream = process.stdout): GoneStdout {
  let gone: unknown;
  let logger: Logger | undefined;
  let told = false;
  const tell = () => {
    if (told || gone === undefined || !logger) return;
    told = true;
    logger.warn(
      { code: 'stdout_gone', err: gone },
      'stdout is gone (whoever read it closed it): its lines are dropped; the relay keeps running',
    );
  };
  stdout.on('error', (error) => {
    gone ??= error;
    tell();
  });
  return {
    logTo(to) {
      logger = to;
      tell();
    },
  };
}
