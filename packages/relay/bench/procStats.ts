import { readFileSync } from 'node:fs';

// USER_HZ is 100 on every Linux architecture Node supports; /proc reports CPU time in it.
const CLOCK_TICKS_PER_SECOND = 100;

/** Resident set size of a process, from /proc/<pid>/status (VmRSS). */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** User + system CPU time a process has used so far, in ms, from /proc/<pid>/stat. */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

export const toMb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
