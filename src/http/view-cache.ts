import type { TaskSnapshot } from "../backend/task-backend";
import { isTerminal } from "../domain/task";
import { retryAfterSeconds, taskView } from "./task-view";

/** A task view as sent: its JSON text, its ETag and, while the task is open, its Retry-After. */
export interface RenderedView {
  etag: string;
  body: string;
  retryAfter?: string;
}

/**
 * The version of a task's view: what the JSON says changes only when one of
 * these does. A finished task changes only as its webhook deliveries do (strong ETag); an open one
 * is compared on status, place and estimate (weak: the estimate is rounded).
 */
export function viewVersion({ task, queuePosition, etaMs, deliveries }: TaskSnapshot): string {
  // Webhook deliveries move on after the task has finished: each attempt is a new version.
  const hooks = deliveries?.length ? `.${deliveries.map((d) => `${d.event[0]}${d.attempts}${d.state[0]}${d.lastAttemptAt ?? ""}`).join("")}` : "";
  if (isTerminal(task.status)) return `"${task.id}.${task.updatedAt}${hooks}"`;
  return `W/"${task.id}.${task.status}.${task.updatedAt}.${queuePosition}.${etaMs ?? ""}${hooks}"`;
}

/**
 * Rendered views of recently polled tasks, least recently used out first,
 * within a byte budget. Polling clients ask for the same finished task over and
 * over: its view, with the annotated image base64-encoded inline, is rendered
 * once per version instead of once per poll.
 */
export class ViewCache {
  private readonly entries = new Map<string, RenderedView>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The rendered view of this snapshot, from the cache when its version is there. */
  render(snap: TaskSnapshot): RenderedView {
    const etag = viewVersion(snap);
    const hit = this.entries.get(snap.task.id);
    if (hit?.etag === etag) {
      // Most recently used moves to the end of the Map's order.
      this.entries.delete(snap.task.id);
      this.entries.set(snap.task.id, hit);
      return hit;
    }
    const view = taskView(snap);
    const rendered: RenderedView = { etag, body: JSON.stringify(view), ...(isTerminal(snap.task.status) ? {} : { retryAfter: retryAfterSeconds(view) }) };
    this.put(snap.task.id, rendered);
    return rendered;
  }

  /** Whether the cache holds this version already (so the caller can skip fetching the image). */
  has(snap: TaskSnapshot): boolean {
    return this.entries.get(snap.task.id)?.etag === viewVersion(snap);
  }

  private put(id: string, rendered: RenderedView) {
    this.drop(id);
    // A view larger than the whole budget is served, never kept.
    if (rendered.body.length > this.maxBytes) return;
    this.entries.set(id, rendered);
    this.bytes += rendered.body.length;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  private drop(id: string) {
    const old = this.entries.get(id);
    if (!old) return;
    this.entries.delete(id);
    this.bytes -= old.body.length;
  }
}
