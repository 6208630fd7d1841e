/**
 * Time and timers as a dependency, so the garbage collector and task timeouts
 * are tested by advancing a fake clock instead of sleeping.
 */
export type Cancel = () => void;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Cancel;
  setInterval(fn: () => void, ms: number): Cancel;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  setInterval(fn, ms) {
    // unref: a housekeeping timer must not keep a finished process (or test run) alive.
    const t = setInterval(fn, ms);
    (t as { unref?: () => void }).unref?.();
    return () => clearInterval(t);
  },
};
