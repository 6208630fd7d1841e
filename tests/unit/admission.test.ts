import { describe, expect, test } from "bun:test";
import { admissionError, refusalFor } from "../../src/backend/admission";

const LIMITS = { clientQueueMax: 3, queueMax: 10, maxStoreBytes: 1000 };
const ROOM = { clientBacklog: 0, pending: 0, activeClients: 0, heldBytes: 0, incomingBytes: 100 };
// 200 ms an image on 2 lanes: a queue of 10 drains in 1 s.
const RATE = { serviceMs: 200, warmupMs: 50, lanes: 2 };

describe("admission: the order of the checks and each refusal's Retry-After, for both backends", () => {
  test("room for the upload: no refusal", () => {
    expect(refusalFor(ROOM, LIMITS)).toBeUndefined();
    expect(refusalFor({ ...ROOM, clientBacklog: 2, pending: 9, heldBytes: 900 }, LIMITS)).toBeUndefined();
  });

  test("a client at its cap is told its own limit first, even when the queue and the store are full too", () => {
    expect(refusalFor({ ...ROOM, clientBacklog: 3, pending: 10, heldBytes: 1000 }, LIMITS)).toBe("client_queue_full");
    expect(refusalFor({ ...ROOM, pending: 10, heldBytes: 1000 }, LIMITS)).toBe("queue_full");
    expect(refusalFor({ ...ROOM, heldBytes: 901 }, LIMITS)).toBe("memory_full");
  });

  test("Retry-After: one turn of the active clients for a client at its cap, the whole queue's drain otherwise", () => {
    const client = admissionError("client_queue_full", LIMITS, { pending: 40, activeClients: 20 }, RATE);
    const queue = admissionError("queue_full", LIMITS, { pending: 40, activeClients: 20 }, RATE);
    const memory = admissionError("memory_full", LIMITS, { pending: 40, activeClients: 20 }, RATE);
    expect([client.code, queue.code, memory.code]).toEqual(["client_queue_full", "queue_full", "memory_full"]);
    expect([client.retryAfterS, queue.retryAfterS, memory.retryAfterS]).toEqual([2, 4, 4]);
    // No active client counted yet (Redis between refreshes): still at least a second.
    expect(admissionError("client_queue_full", LIMITS, { pending: 0, activeClients: 0 }, RATE).retryAfterS).toBe(1);
  });
});
