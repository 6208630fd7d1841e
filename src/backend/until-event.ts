import type { Clock } from "../domain/clock";
import type { TaskEvent } from "./task-backend";

/**
 * Resolves at the first event for which `done` holds, or after `ms`,
 * whichever comes first; the listener and the timer are removed either way.
 */
export function untilEvent(subscribe: (listener: (event: TaskEvent) => void) => () => void, done: (event: TaskEvent) => boolean, clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const stopTimer = clock.setTimeout(() => finish(), ms);
    const unsubscribe = subscribe((event) => {
      if (done(event)) finish();
    });
    function finish() {
      stopTimer();
      unsubscribe();
      resolve();
    }
  });
}
