import type { TaskBackend, TaskSnapshot } from "../backend/task-backend";
import { isTerminal, type TaskStatus } from "../domain/task";
import { sseStream } from "./sse";
import { taskView } from "./task-view";

const LEAVES_QUEUE: ReadonlySet<TaskStatus> = new Set(["processing", "canceled", "failed"]);

/**
 * A Server-Sent Events stream of one task: its state now, then every change
 * (a new status, or a new queue position while pending), ending after the
 * terminal event. Events carry the task view without the inline image, which
 * is at links.image.
 */
export function taskEventStream(first: TaskSnapshot, backend: TaskBackend, signal: AbortSignal): ReadableStream<Uint8Array> {
  const id = first.task.id;
  return sseStream(signal, (channel) => {
    let last = "";
    let pending = first.task.status === "pending";
    let reading = false;
    let again = false;
    /** set by a `closing` event: this process stops following its tasks (they go on elsewhere) */
    let ending = backend.closing;
    const push = (snap: TaskSnapshot) => {
      if (channel.closed) return;
      const t = snap.task;
      pending = t.status === "pending";
      const view = taskView(snap, { inlineImage: false });
      // The event's id: the status, and a pending task's position (`pending:3`, then `processing`).
      const key = view.queue_position === undefined ? t.status : `${t.status}:${view.queue_position}`;
      if (key === last) return;
      last = key;
      channel.send(`event: ${t.status}\nid: ${key}\ndata: ${JSON.stringify(view)}\n\n`);
      if (isTerminal(t.status)) channel.close();
    };
    // One read at a time; cues that arrive meanwhile fold into one more read.
    const refresh = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const snap = await backend.find(id, { withImage: false }).catch(() => undefined);
          if (snap) push(snap);
          // A replica shutting down ends its streams; an EventSource reconnects (to another replica).
          if (ending) channel.close();
        } while (again && !channel.closed);
      } finally {
        reading = false;
      }
    };
    // A pending task moves up only when one ahead leaves the queue (taken,
    // canceled or failed); a new upload or a completion never moves it. Once
    // it runs, only its own changes matter. On Redis every re-read is a round
    // trip, and every replica hears every transition.
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === "closing") ending = true;
      // A resync or a closing: re-read, whatever moved.
      if (event.type !== "transition" || event.id === id || (pending && LEAVES_QUEUE.has(event.status))) void refresh();
    });
    push(first);
    // Opened on a replica already shutting down: the first state, then the end.
    if (ending) channel.close();
    return unsubscribe;
  });
}
