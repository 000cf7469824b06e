declare const process: { env: { NODE_ENV?: string } } | undefined;

/**
 * A development-only debug line. Bundlers replace `process.env.NODE_ENV`, so production
 * builds drop the call; where nothing defines `process` it is skipped as well.
 */
export function devLog(message: string, details?: unknown): void {
  if (typeof process === 'undefined' || process.env.NODE_ENV === 'production') return;
  console.debug(`[kitchen-sync] ${message}`, ...(details === undefined ? [] : [details]));
}
