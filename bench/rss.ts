import { readFileSync } from 'node:fs';

/** Resident set size of a process in MB, from the kernel's own accounting. */
export function readRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

/** Samples a process's RSS on a timer and keeps the peak; a sample missed because the process is gone is skipped. */
export class RssSampler {
  peakMb = 0;
  samples = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    try {
      this.peakMb = Math.max(this.peakMb, readRssMb(this.pid));
      this.samples++;
    } catch {
      // The process exited between two samples: its peak so far stands.
    }
  }
}
