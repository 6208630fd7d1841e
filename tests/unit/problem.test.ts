import { describe, expect, test } from "bun:test";
import type { ErrorCode } from "../../src/domain/errors";
import { problemBody, problemResponse, statusOf } from "../../src/http/problem";

describe("statusOf", () => {
  test("maps codes to HTTP statuses", () => {
    const expected: [ErrorCode, number][] = [
      ["unsupported_media_type", 415],
      ["payload_too_large", 413],
      ["too_many_pixels", 422],
      ["invalid_parameter", 422],
      ["malformed_request", 400],
      ["task_not_found", 404],
      ["result_not_ready", 409],
      ["not_ready", 503],
      ["internal_error", 500],
      ["timeout", 504],
    ];
    for (const [code, status] of expected) expect([code, statusOf(code)]).toEqual([code, status]);
  });
});

describe("problemBody", () => {
  test("carries type, title, status, detail and code", () => {
    const body = problemBody("payload_too_large", "upload is 30 MB; the limit is 20 MB");
    expect(body).toEqual({
      type: "urn:yolo-detect:problem:payload_too_large",
      title: "Upload too large",
      status: 413,
      detail: "upload is 30 MB; the limit is 20 MB",
      code: "payload_too_large",
    });
  });

  test("type contains the code", () => {
    expect(problemBody("task_not_found", "x").type).toContain("task_not_found");
  });

  test("errors are omitted when empty and included otherwise", () => {
    expect("errors" in problemBody("invalid_parameter", "x", { errors: [] })).toBe(false);
    expect("errors" in problemBody("invalid_parameter", "x")).toBe(false);
    const errors = [{ field: "classes", message: "unknown class" }];
    expect(problemBody("invalid_parameter", "x", { errors }).errors).toEqual(errors);
  });

  test("instance is included only when given", () => {
    expect("instance" in problemBody("task_not_found", "x")).toBe(false);
    expect(problemBody("task_not_found", "x", { instance: "/result/abc" }).instance).toBe("/result/abc");
  });
});

describe("problemResponse", () => {
  test("is application/problem+json with the body's status and the body as JSON", async () => {
    const body = problemBody("unsupported_media_type", "not an image");
    const res = problemResponse(body);
    expect(res.status).toBe(415);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toEqual(body);
  });

  test("statuses follow the code", () => {
    const statusFor = (code: ErrorCode) => problemResponse(problemBody(code, "d")).status;
    expect(statusFor("payload_too_large")).toBe(413);
    expect(statusFor("too_many_pixels")).toBe(422);
    expect(statusFor("task_not_found")).toBe(404);
    expect(statusFor("not_ready")).toBe(503);
  });

  test("extra headers are added", () => {
    const res = problemResponse(problemBody("not_ready", "loading model"), { "retry-after": "5" });
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
