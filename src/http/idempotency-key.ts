import type { IdempotencyStore } from "../backend/idempotency";
import { refuseUpload, rejectRequest } from "../domain/errors";

/** Longest Idempotency-Key taken (as Stripe's). */
export const IDEMPOTENCY_KEY_MAX = 255;

/** The request's Idempotency-Key, checked: 1 to 255 visible ASCII characters. */
export function idempotencyKeyOf(headers: Headers): string | undefined {
  const key = headers.get("idempotency-key");
  if (key === null) return undefined;
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX || !/^[\x21-\x7e]+$/.test(key)) {
    throw rejectRequest.invalidFields([{ field: "Idempotency-Key", message: `must be 1 to ${IDEMPOTENCY_KEY_MAX} visible ASCII characters` }]);
  }
  return key;
}

/**
 * What makes two uploads the same request: its images in order (the bytes of
 * each file or base64 image, each URL's text) and every field beside them
 * (knobs and webhook, form and query merged), in a stable order.
 */
export function fingerprintOf(images: readonly (Uint8Array | string)[], fields: Record<string, unknown>): string {
  const canonical = Object.keys(fields)
    .filter((k) => fields[k] !== undefined)
    .sort()
    .map((k) => [k, fields[k]]);
  const hasher = new Bun.CryptoHasher("sha256");
  // Each image's kind and length first, so no two different lists hash alike.
  for (const image of images) hasher.update(`${typeof image === "string" ? "url" : "bytes"}:${image.length}\n`).update(image);
  return hasher.update("\n").update(JSON.stringify(canonical)).digest("hex");
}

/** The tasks (one per image, in order) and the status they were (or are to be) answered with. */
export interface Answer {
  taskIds: string[];
  status: number;
}

/** Several tasks' ids under one key, as the store keeps them: UUIDs, joined by commas (none has one). */
const joined = (ids: readonly string[]) => ids.join(",");

/**
 * Runs `first` once per client, key and request: a replay of an answered key
 * gets `replay` (the same task and status); the same key with another
 * request, or while the first is still being answered, is refused. A request
 * refused before its task existed frees the key, so the client may retry.
 */
export async function answerOnce<T extends Answer>(
  store: IdempotencyStore,
  scope: { client: string; key: string; fingerprint: string },
  first: () => Promise<T>,
  replay: (answered: Answer) => Promise<T | undefined>,
): Promise<T & { replayed?: true }> {
  const { client, key, fingerprint } = scope;
  const reservation = await store.reserve(client, key, fingerprint);
  if (reservation.kind === "conflict") throw refuseUpload.idempotencyKeyReused();
  if (reservation.kind === "in_progress") throw refuseUpload.idempotencyInProgress();
  if (reservation.kind === "replay") {
    const again = await replay({ taskIds: reservation.taskId.split(","), status: reservation.status });
    if (again) return { ...again, replayed: true };
    // The task is gone (its store lost it): the key no longer stands for anything.
    await store.release(client, key);
    return answerOnce(store, scope, first, replay);
  }
  let answer: T;
  try {
    answer = await first();
  } catch (err) {
    await store.release(client, key).catch(() => {});
    throw err;
  }
  // The task exists and the client is owed its answer: a store that fails here only
  // leaves the key reserved until it lapses (HOLD_MS), it does not fail the upload.
  await store.complete(client, key, joined(answer.taskIds), answer.status).catch(() => {});
  return answer;
}
