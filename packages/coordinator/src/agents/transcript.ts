// A run's transcript: the events it emits, kept in order, announced to
// whoever follows the run, and saved with the run's state.

import type { AgentRunEventRecord, AgentRunRecord } from '../store/index.js';

export type NewEvent = Omit<AgentRunEventRecord, 'sequence' | 'time'>;

const FINAL = new Set(['run_finished', 'run_failed']);

export class RunTranscript {
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly run: AgentRunRecord,
    private readonly clock: () => number = Date.now,
  ) {}

  get ended(): boolean {
    return this.run.status !== 'running';
  }

  emit(event: NewEvent): AgentRunEventRecord {
    const record: AgentRunEventRecord = {
      ...event,
      sequence: this.run.events.length + 1,
      time: this.clock(),
    };
    this.run.events.push(record);
    if (record.queryId && !this.run.queryIds.includes(record.queryId)) this.run.queryIds.push(record.queryId);
    for (const listener of this.listeners) listener();
    return record;
  }

  /** Every event so far, then each new one, until the run's final event. */
  async *follow(signal?: AbortSignal): AsyncGenerator<AgentRunEventRecord> {
    let next = 0;
    while (true) {
      while (next < this.run.events.length) {
        const event = this.run.events[next++] as AgentRunEventRecord;
        yield event;
        if (FINAL.has(event.kind)) return;
      }
      if (signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.listeners.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.listeners.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }
}
