import type { Cancel, Clock } from "../../src/domain/clock";

interface Timer {
  at: number;
  every?: number;
  fn: () => void;
}

/** A clock that moves only when a test says so; timers fire in time order during advance(). */
export class FakeClock implements Clock {
  private timers = new Set<Timer>();

  constructor(private current = 1_700_000_000_000) {}

  now() {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Cancel {
    const t: Timer = { at: this.current + ms, fn };
    this.timers.add(t);
    return () => this.timers.delete(t);
  }

  setInterval(fn: () => void, ms: number): Cancel {
    const t: Timer = { at: this.current + ms, every: ms, fn };
    this.timers.add(t);
    return () => this.timers.delete(t);
  }

  get pendingTimers() {
    return this.timers.size;
  }

  advance(ms: number) {
    const end = this.current + ms;
    for (;;) {
      const next = [...this.timers].filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.current = next.at;
      if (next.every) next.at += next.every;
      else this.timers.delete(next);
      next.fn();
    }
    this.current = end;
  }
}
