import type { Logger } from '../logger.js';

/**
 * The last line of defence, for an error no handler caught: logged as fatal, the relay runs on.
 * It never throws: a throw from an `uncaughtException` handler ends Node at once (exit 7), and
 * a logger can fail too (a full disk under its file). Then one line goes to stderr, if it can.
 */
export function reportUncaught(
  logger: Pick<Logger, 'fatal'>,
  what: string,
  error: unknown,
  stderr: Pick<NodeJS.WritableStream, 'write'> = process.stderr,
): void {
  try {
    logger.fatal({ err: error }, what);
  } catch (logFailed) {
    try {
      stderr.write(
        `kitchen-sync-relay: ${what}: ${(error as Error)?.stack ?? String(error)} (the logger failed too: ${String(logFailed)})\n`,
      );
    } catch {
      // Nowhere left to say it; the relay keeps serving.
    }
  }
}
