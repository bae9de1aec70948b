import { readFileSync } from 'node:fs';

/**
 * CPU time a process has used so far (user + system, in clock ticks), read
 * from /proc; undefined where /proc is not available. A jump shows the
 * process is working, e.g. DuckDB executing a query at an edge.
 */
export function cpuTicks(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)" start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
