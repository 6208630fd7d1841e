import type { TaskBackend, TaskSnapshot } from "../backend/task-backend";
import { isTerminal } from "../domain/task";
import type { WebhookRequest } from "../domain/webhook";
import type { Intake, PreparedImage, UploadKnobs } from "../intake/intake";

/**
 * A request's images as tasks, in order, all or none. One goes through the
 * intake as any upload. Several are each prepared first (every check an image
 * gets: a bad one refuses the request before any task exists), then admitted
 * together (as that many tasks of one client: a request that does not fit is
 * refused whole), then submitted one after another. Only when another request
 * takes the room in between is one refused after others were made: those are
 * withdrawn (canceled) at once.
 */
export async function acceptImages(intake: Intake, backend: TaskBackend, images: readonly Uint8Array[], knobs: UploadKnobs, client: string, webhook?: WebhookRequest): Promise<TaskSnapshot[]> {
  if (images.length === 1) return [await intake.accept(images[0], knobs, client, webhook)];
  const prepared: PreparedImage[] = [];
  for (const bytes of images) prepared.push(await intake.prepare(bytes, knobs));
  await backend.admit(images.reduce((n, b) => n + b.byteLength, 0), client, images.length);
  const accepted: TaskSnapshot[] = [];
  try {
    for (const image of prepared) accepted.push(await intake.submit(image, client, webhook));
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
