import { isTerminal, type Task } from "../domain/task";
import type { Runner } from "../runner/runner";
import { taskView } from "./task-view";

const KEEPALIVE_MS = 15_000;
const encoder = new TextEncoder();

/**
 * A Server-Sent Events stream of one task: its state now, then every change
 * (a new status, or a new queue position while pending), ending after the
 * terminal event. Events carry the task view without the inline image, which
 * is at links.image.
 */
export function taskEventStream(task: Task, runner: Runner, signal: AbortSignal): ReadableStream<Uint8Array> {
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let last = "";
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      const push = (t: Task) => {
        if (closed) return;
        const view = taskView(t, runner, { inlineImage: false });
        const key = `${t.status}:${view.queue_position ?? ""}`;
        if (key === last) return;
        last = key;
        controller.enqueue(encoder.encode(`event: ${t.status}\nid: ${key}\ndata: ${JSON.stringify(view)}\n\n`));
        if (isTerminal(t.status)) close();
      };
      // Any transition may move this task up the queue, so every one is a cue to look.
      const unsubscribe = runner.onTransition(() => {
        const current = runner.store.get(task.id);
        if (current) push(current);
      });
      const keepalive = setInterval(() => controller.enqueue(encoder.encode(": keep-alive\n\n")), KEEPALIVE_MS);
      cleanup = () => {
        unsubscribe();
        clearInterval(keepalive);
      };
      signal.addEventListener("abort", close);
      push(task);
    },
    cancel() {
      cleanup();
    },
  });
}
