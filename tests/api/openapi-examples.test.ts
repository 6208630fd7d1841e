import { afterAll, beforeAll, expect, test } from "bun:test";
import { COMPLETED_EXAMPLE, PENDING_EXAMPLE } from "../../src/http/examples";
import { getJson, pollUntilDone, upload } from "../support/http";
import { readImage } from "../support/paths";
import { startTestService, type TestService } from "../support/test-service";
import { NOT_IMAGES, pngDeclaring } from "../support/crafted-files";

/**
 * The task examples of the OpenAPI document against the service's real
 * answers for the same photo: the same fields, nested the same way, and
 * dog.jpg's detections where the example puts them.
 */
let svc: TestService;
let doc: any;
// Limits other than the defaults, so the documented refusals show they are read from the configuration.
const LIMITS = { MAX_UPLOAD_BYTES: "4194304", MAX_PIXELS: "2000000", QUEUE_MAX: "40", CLIENT_QUEUE_MAX: "6", UPLOAD_TIMEOUT_MS: "20000" };
beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1", ...LIMITS });
  doc = (await getJson(svc.app, "/docs/json")).body;
});
afterAll(() => svc.stop());

/** Every key path of a JSON value (array items merged), so two answers compare by shape. */
function shape(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => shape(v, `${prefix}[]`)))].sort();
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...shape(v, `${prefix}.${k}`)]).sort();
  return [];
}

const exampleOf = (status: string) => doc.paths["/predict"].post.responses[status].content["application/json"].schema.examples[0];

test("the document shows a pending task for an upload's 201 and a finished one for its 200", () => {
  expect(exampleOf("201")).toEqual(PENDING_EXAMPLE);
  expect(exampleOf("200")).toEqual(COMPLETED_EXAMPLE);
  expect(doc.paths["/result/{id}"].get.responses["200"].content["application/json"].schema.examples[0]).toEqual(COMPLETED_EXAMPLE);
});

test("dog.jpg's real 201 and finished task have the examples' fields, and its detections are the example's", async () => {
  // A second upload behind the first, so the one read back is certainly still pending.
  const photo = await readImage("dog.jpg");
  await upload(svc.app, photo);
  const res = await upload(svc.app, photo);
  expect(res.status).toBe(201);
  const created = (await res.json()) as any;
  expect(created.status).toBe("pending");
  expect(shape(created)).toEqual(shape(PENDING_EXAMPLE));

  const done = await pollUntilDone(svc.app, created.task_id);
  expect(shape(done)).toEqual(shape(COMPLETED_EXAMPLE));
  expect(done.result.detections.length).toBe(COMPLETED_EXAMPLE.result.detections.length);
  for (const example of COMPLETED_EXAMPLE.result.detections) {
    const real = done.result.detections.find((d: any) => d.class === example.class);
    expect(Math.abs(real.confidence - example.confidence)).toBeLessThan(0.01);
    for (const side of ["x1", "y1", "x2", "y2"] as const) expect(Math.abs(real.box[side] - example.box[side])).toBeLessThan(1);
  }
  expect(done.result.image).toEqual(COMPLETED_EXAMPLE.result.image);
  expect(done.result.input_size).toEqual(COMPLETED_EXAMPLE.result.input_size);
});

/** The documented examples of one of the upload's error statuses. */
const problemExamples = (status: number): any[] => doc.paths["/predict"].post.responses[status].content["application/problem+json"].schema.examples;

test("the upload's documented refusals quote this service's configured limits, and match its real answers", async () => {
  const detailOf = (status: number, code: string) => problemExamples(status).find((e) => e.code === code)?.detail;
  expect(detailOf(413, "payload_too_large")).toEndWith(`the limit is ${LIMITS.MAX_UPLOAD_BYTES} bytes.`);
  expect(detailOf(408, "upload_timeout")).toContain(`within ${LIMITS.UPLOAD_TIMEOUT_MS} ms`);
  expect(detailOf(429, "queue_full")).toContain(`(${LIMITS.QUEUE_MAX} tasks waiting, QUEUE_MAX)`);
  expect(detailOf(429, "client_queue_full")).toContain(`You have ${LIMITS.CLIENT_QUEUE_MAX} tasks waiting, as many as one client may while others wait too (CLIENT_QUEUE_MAX)`);

  // What the service really answers, field for field: the formats it accepts, and its pixel limit.
  const pdf = await upload(svc.app, NOT_IMAGES.pdf, { filename: "a.pdf", type: "application/pdf" });
  expect(pdf.status).toBe(415);
  expect(problemExamples(415)).toContainEqual(await pdf.json());
  const huge = await upload(svc.app, pngDeclaring(2000, 2000), { filename: "a.png", type: "image/png" });
  expect(huge.status).toBe(422);
  const real = (await huge.json()) as any;
  expect(real.code).toBe("too_many_pixels");
  expect(real.detail).toEndWith(detailOf(422, "too_many_pixels").replace(/^.*; /, "; "));
  expect(real.detail).toContain(`the limit is ${LIMITS.MAX_PIXELS} pixels`);
});
