import { afterAll, beforeAll } from "bun:test";
import { readImage } from "./paths";
import { startTestService, type TestService } from "./test-service";

/** The control tests' queue: short, so it is easy to fill. */
export const CONTROL_QUEUE_MAX = 4;

/**
 * The service a control test file runs against, started before its tests and
 * stopped after them: one worker and a short queue. One client here
 * (in-process requests have no address), alone: it may fill the queue but
 * the newcomers' place (src/backend/admission.ts). `take` receives the service and dog.jpg's bytes.
 */
export function controlService(take: (svc: TestService, dog: Uint8Array) => void) {
  let svc: TestService | undefined;
  beforeAll(async () => {
    // TRUST_PROXY_HOPS=1: a test names another client with X-Forwarded-For; without it, every request is the one client.
    svc = await startTestService({ WORKERS: "1", QUEUE_MAX: String(CONTROL_QUEUE_MAX), CLIENT_QUEUE_MAX: "1000", TRUST_PROXY_HOPS: "1" });
    take(svc, await readImage("dog.jpg"));
  });
  afterAll(() => svc?.stop());
}
