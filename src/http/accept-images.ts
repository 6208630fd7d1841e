import type { TaskBackend, TaskSnapshot } from "../backend/task-backend";
import type { RawKnobs } from "../domain/knobs";
import { isTerminal } from "../domain/task";
import type { WebhookRequest } from "../domain/webhook";
import type { Intake } from "../intake/intake";

/**
 * A request's images as tasks, in order, all or none. Several are admitted
 * together first (as many tasks of one client: backend.admit with their
 * count), so a request that does not fit is refused whole before any task
 * exists; one refused after all (another request took the room meanwhile)
 * withdraws those already made.
 */
export async function acceptImages(intake: Intake, backend: TaskBackend, images: readonly Uint8Array[], knobs: RawKnobs & { model?: string }, client: string, webhook?: WebhookRequest): Promise<TaskSnapshot[]> {
  if (images.length > 1) await backend.admit(images.reduce((n, b) => n + b.byteLength, 0), client, images.length);
  const accepted: TaskSnapshot[] = [];
  try {
    for (const bytes of images) accepted.push(await intake.accept(bytes, knobs, client, webhook));
  } catch (err) {
    for (const made of accepted) await backend.cancel(made.task.id, "client").catch(() => undefined);
    throw err;
  }
  return accepted;
}

/** `Prefer: wait`: every task finished within `ms`, as they ended; undefined when one is still open. */
export async function waitForAll(backend: TaskBackend, ids: readonly string[], ms: number): Promise<TaskSnapshot[] | undefined> {
  const deadline = Date.now() + ms;
  const done: TaskSnapshot[] = [];
  for (const id of ids) {
    // The task is accepted whatever happens now: if the store goes away while we wait, the client still gets its 201.
    const snap = await backend.waitForTerminal(id, Math.max(0, deadline - Date.now())).catch(() => undefined);
    if (!snap || !isTerminal(snap.task.status)) return undefined;
    done.push(snap);
  }
  return done;
}
