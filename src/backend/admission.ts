import { type DomainError, refuse } from "../domain/errors";
import { backlogSeconds, type Rate } from "../domain/eta";

/** Why an upload is refused for room, as both backends (and CREATE_TASK's Lua, for Redis) name it. */
export type AdmissionRefusal = "client_queue_full" | "queue_full" | "memory_full";

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
 * The order of the checks, for both backends: a flooding client is told its
 * own limit first, not that the service is full; then the whole queue; then
 * the bytes held.
 */
export function refusalFor(counts: QueueCounts, limits: AdmissionLimits): AdmissionRefusal | undefined {
  if (counts.clientBacklog >= limits.clientQueueMax) return "client_queue_full";
  if (counts.pending >= limits.queueMax) return "queue_full";
  if (counts.heldBytes + counts.incomingBytes > limits.maxStoreBytes) return "memory_full";
  return undefined;
}

/**
 * The refusal's error and its Retry-After: a client at its cap gets a slot
 * back when its next task starts, within one turn of the active clients; a
 * full queue or store has room once the tasks waiting have drained.
 */
export function admissionError(code: AdmissionRefusal, limits: AdmissionLimits, counts: Pick<QueueCounts, "pending" | "activeClients">, rate: Rate): DomainError {
  if (code === "client_queue_full") return refuse.clientQueueFull(limits.clientQueueMax, backlogSeconds(Math.max(1, counts.activeClients), rate));
  const retryAfter = backlogSeconds(counts.pending, rate);
  return code === "queue_full" ? refuse.queueFull(limits.queueMax, retryAfter) : refuse.memoryFull(retryAfter);
}
