import { afterAll, beforeAll, expect, test } from "bun:test";
import { isInferenceThread } from "../../src/executor/inference-priority";
import { niceOf, threadsNamed } from "../../src/util/thread-priority";
import { startTestService, type TestService, waitFor } from "../support/test-service";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1", INFERENCE_NICE: "7" });
});
afterAll(() => svc.stop());

const inferenceNices = () => threadsNamed(isInferenceThread).map(niceOf);

test("the inference threads run INFERENCE_NICE below the HTTP thread", async () => {
  await waitFor(() => inferenceNices().length > 0 && inferenceNices().every((n) => n === 7), 30_000, "inference threads reniced");
  // The HTTP thread (the main thread: its thread id is the process id) keeps its priority.
  expect(niceOf(process.pid)).toBe(0);
});
