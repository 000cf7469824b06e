/**
 * What SIGHUP means to `serve`. On POSIX it is the usual "reload your configuration": the
 * certificate files. On Windows Node delivers the console window being closed
 * (CTRL_CLOSE_EVENT) as SIGHUP, and Windows ends the process a few seconds later: the
 * graceful stop is the only useful answer. Renewed certificate files are still picked up
 * there by the file watcher and the 6-hourly check.
 */
export const hangupMeans = (platform: NodeJS.Platform): 'stop' | 'reload' =>
  platform === 'win32' ? 'stop' : 'reload';
