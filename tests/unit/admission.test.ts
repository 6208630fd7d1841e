import { describe, expect, test } from "bun:test";
import { admissionError, newcomerReserve, refusalFor } from "../../src/backend/admission";

const LIMITS = { clientQueueMax: 3, queueMax: 10, maxStoreBytes: 1000 };
const ROOM = { clientBacklog: 0, pending: 0, activeClients: 0, heldBytes: 0, incomingBytes: 100 };
// 200 ms an image on 2 lanes: a queue of 10 drains in 1 s.
const RATE = { serviceMs: 200, warmupMs: 50, lanes: 2 };

describe("admission: the order of the checks and each refusal's Retry-After, for both backends", () => {
  test("room for the upload: no refusal", () => {
    expect(refusalFor(ROOM, LIMITS)).toBeUndefined();
    expect(refusalFor({ ...ROOM, clientBacklog: 2, pending: 8, activeClients: 2, heldBytes: 800 }, LIMITS)).toBeUndefined();
  });

  test("CLIENT_QUEUE_MAX binds only while other clients wait: alone, a client fills the queue but the newcomers' reserve", () => {
    // alone (the only active client is itself): past its cap of 3, up to 10 − 1 waiting
    expect(refusalFor({ ...ROOM, clientBacklog: 3, pending: 3, activeClients: 1 }, LIMITS)).toBeUndefined();
    expect(refusalFor({ ...ROOM, clientBacklog: 8, pending: 8, activeClients: 1 }, LIMITS)).toBeUndefined();
    expect(refusalFor({ ...ROOM, clientBacklog: 9, pending: 9, activeClients: 1 }, LIMITS)).toBe("client_reserve");
    // another client waits too: the cap applies
    expect(refusalFor({ ...ROOM, clientBacklog: 3, pending: 4, activeClients: 2 }, LIMITS)).toBe("client_queue_full");
    // a client with nothing waiting takes the reserve, up to the whole queue
    expect(refusalFor({ ...ROOM, clientBacklog: 0, pending: 9, activeClients: 1 }, LIMITS)).toBeUndefined();
    expect(refusalFor({ ...ROOM, clientBacklog: 0, pending: 10, activeClients: 2 }, LIMITS)).toBe("queue_full");
  });

  test("a client at its cap is told its own limit first, even when the queue and the store are full too", () => {
    expect(refusalFor({ ...ROOM, clientBacklog: 3, pending: 10, activeClients: 2, heldBytes: 1000 }, LIMITS)).toBe("client_queue_full");
    expect(refusalFor({ ...ROOM, pending: 10, heldBytes: 1000 }, LIMITS)).toBe("queue_full");
    expect(refusalFor({ ...ROOM, heldBytes: 901 }, LIMITS)).toBe("memory_full");
  });

  test("the newcomers' reserve: a tenth of QUEUE_MAX, at least one, none when the queue has one place", () => {
    expect([1, 2, 4, 10, 100, 101, 1000].map(newcomerReserve)).toEqual([0, 1, 1, 1, 10, 11, 100]);
  });

  test("Retry-After: one turn of the active clients for a client at its cap or the reserve, the whole queue's drain otherwise; each names its setting", () => {
    const counts = { pending: 40, activeClients: 20 };
    const client = admissionError("client_queue_full", LIMITS, counts, RATE);
    const reserve = admissionError("client_reserve", LIMITS, counts, RATE);
    const queue = admissionError("queue_full", LIMITS, counts, RATE);
    const memory = admissionError("memory_full", LIMITS, counts, RATE);
    expect([client.code, reserve.code, queue.code, memory.code]).toEqual(["client_queue_full", "client_queue_full", "queue_full", "memory_full"]);
    expect([client.retryAfterS, reserve.retryAfterS, queue.retryAfterS, memory.retryAfterS]).toEqual([2, 2, 4, 4]);
    expect([client.message, reserve.message, queue.message, memory.message].map((m) => m.match(/[A-Z_]{6,}/)?.[0])).toEqual(["CLIENT_QUEUE_MAX", "QUEUE_MAX", "QUEUE_MAX", "MAX_STORE_BYTES"]);
    // No active client counted yet (Redis between refreshes): still at least a second.
    expect(admissionError("client_queue_full", LIMITS, { pending: 0, activeClients: 0 }, RATE).retryAfterS).toBe(1);
  });
});
