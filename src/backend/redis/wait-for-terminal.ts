import type { Clock } from "../../domain/clock";
import { isTerminal } from "../../domain/task";
import type { TaskEvent, TaskSnapshot } from "../task-backend";

export interface WaitSource {
  find(id: string): Promise<TaskSnapshot | undefined>;
  subscribe(listener: (event: TaskEvent) => void): () => void;
  readonly draining: boolean;
}

/**
 * RedisBackend.waitForTerminal: re-reads the task on its own events and on
 * each resync (an event may have been lost), and resolves once it is
 * terminal, gone, or after `ms` with the task as it is.
 */
export function waitForTerminal(source: WaitSource, clock: Clock, id: string, ms: number): Promise<TaskSnapshot | undefined> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (then: () => void) => {
      if (settled) return;
      settled = true;
      stopTimer();
      unsubscribe();
      then();
    };
    const read = (answer: (snap: TaskSnapshot | undefined) => boolean) =>
      source.find(id).then(
        (snap) => answer(snap) && finish(() => resolve(snap)),
        (err) => finish(() => reject(err)),
      );
    // Draining: answer now with the task as it is (201 and its id), rather than be cut off at exit.
    const check = () => void read((snap) => !snap || isTerminal(snap.task.status) || source.draining);
    const stopTimer = clock.setTimeout(() => void read(() => true), ms);
    // The channel's event, or the resync tick when one was missed.
    const unsubscribe = source.subscribe((e) => {
      if (e.type !== "transition" || e.id === id) check();
    });
    check();
  });
}
