import type { TaskEvent } from "./task-backend";

/** The listeners of one backend's task events; a listener may unsubscribe while being called. */
export class EventHub {
  private readonly listeners = new Set<(event: TaskEvent) => void>();

  subscribe(listener: (event: TaskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: TaskEvent) {
    for (const l of [...this.listeners]) l(event);
  }

  get size() {
    return this.listeners.size;
  }
}
