import { type DomainError, refuse } from "../domain/errors";
import { backlogSeconds, type Rate } from "../domain/eta";

/**
 * Why an upload is refused for room, as both backends (and CREATE_TASK's Lua,
 * for Redis) name it. `client_reserve` is answered as `client_queue_full` too:
 * the client has tasks waiting and the places left are the newcomers'.
 */
export type AdmissionRefusal = "client_queue_full" | "client_reserve" | "queue_full" | "memory_full";

export interface AdmissionLimits {
  clientQueueMax: number;
  queueMax: number;
  maxStoreBytes: number;
}

/** What the queue holds when an upload arrives. */
export interface QueueCounts {
  /** this client's tasks waiting */
  clientBacklog: number;
  /** all tasks waiting */
  pending: number;
  /** clients with tasks waiting */
  activeClients: number;
  /** bytes the store holds now, and the upload's */
  heldBytes: number;
  incomingBytes: number;
}

/**
 * Places of the queue kept for clients with nothing waiting: a tenth of
 * QUEUE_MAX, at least one (none when the queue has one place). However much
 * one client sends, a newcomer finds a place, and the fair queue puts its
 * task within a turn of the front (docs/operations.md, "Fair share").
 */
export function newcomerReserve(queueMax: number): number {
  return Math.min(queueMax - 1, Math.max(1, Math.ceil(queueMax / 10)));
}

/**
 * The order of the checks, for both backends (CREATE_TASK's Lua repeats it,
 * atomically, for Redis):
 * 1. CLIENT_QUEUE_MAX binds only while other clients wait too: a client alone
 *    may use the queue (the original's stress client sends 64 at once);
 * 2. the whole queue (QUEUE_MAX);
 * 3. a client that already has tasks waiting leaves the last places to
 *    clients with none (newcomerReserve), so no client takes every place;
 * 4. the bytes held.
 * A flooding client is told its own limit before the service's. `count`
 * tasks of one request (several images) are checked as if admitted one after
 * another, each with those before it waiting: all fit, or the request is
 * refused whole.
 */
export function refusalFor(counts: QueueCounts, limits: AdmissionLimits, count = 1): AdmissionRefusal | undefined {
  for (let k = 0; k < count; k++) {
    // The client joins the clients waiting once its first task of the request is in.
    const joined = counts.clientBacklog === 0 && k > 0 ? 1 : 0;
    const refused = refusalForOne({ ...counts, clientBacklog: counts.clientBacklog + k, pending: counts.pending + k, activeClients: counts.activeClients + joined }, limits);
    if (refused) return refused;
  }
  return undefined;
}

function refusalForOne(counts: QueueCounts, limits: AdmissionLimits): AdmissionRefusal | undefined {
  const waiting = counts.clientBacklog > 0;
  const othersWaiting = counts.activeClients - (waiting ? 1 : 0) > 0;
  if (othersWaiting && counts.clientBacklog >= limits.clientQueueMax) return "client_queue_full";
  if (counts.pending >= limits.queueMax) return "queue_full";
  if (waiting && counts.pending >= limits.queueMax - newcomerReserve(limits.queueMax)) return "client_reserve";
  if (counts.heldBytes + counts.incomingBytes > limits.maxStoreBytes) return "memory_full";
  return undefined;
}

/**
 * The refusal's error and its Retry-After: a client at its cap gets a slot
 * back when its next task starts, within one turn of the active clients; a
 * full queue or store has room once the tasks waiting have drained.
 */
export function admissionError(code: AdmissionRefusal, limits: AdmissionLimits, counts: Pick<QueueCounts, "pending" | "activeClients">, rate: Rate): DomainError {
  const ownTurn = backlogSeconds(Math.max(1, counts.activeClients), rate);
  if (code === "client_queue_full") return refuse.clientQueueFull(limits.clientQueueMax, ownTurn);
  if (code === "client_reserve") return refuse.clientReserve(limits.queueMax, newcomerReserve(limits.queueMax), ownTurn);
  const retryAfter = backlogSeconds(counts.pending, rate);
  return code === "queue_full" ? refuse.queueFull(limits.queueMax, retryAfter) : refuse.memoryFull(retryAfter);
}
