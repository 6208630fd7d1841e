import { describe, expect, test } from "bun:test";
import { DomainError, type ErrorCode, imageFailure, missingImage, refuse, rejectRequest, rejectUpload, serverFault } from "../../src/domain/errors";
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

describe("the named refusals", () => {
  const answer = (err: DomainError) => [err.code, statusOf(err.code), err.message];

  test("each has its code, status and message", () => {
    expect(answer(rejectRequest.unauthorized())).toEqual(["unauthorized", 401, "Send the API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`."]);
    expect(answer(rejectRequest.notMultipart())).toEqual(["not_multipart", 415, "Send the image as multipart/form-data (a `file` part, or a `url` field) or as application/json (`image` in base64, or `url`)."]);
    expect(answer(rejectRequest.malformedMultipart())).toEqual(["malformed_request", 400, "The multipart body could not be parsed."]);
    expect(answer(rejectRequest.noRoute("GET", "/nope"))).toEqual(["route_not_found", 404, "No route for GET /nope."]);
    expect(answer(rejectRequest.noDocsAsset())).toEqual(["route_not_found", 404, "No such documentation asset."]);
    expect(answer(rejectUpload.tooLarge(30, 20))).toEqual(["payload_too_large", 413, "The upload is 30 bytes; the limit is 20 bytes."]);
    expect(answer(rejectUpload.empty())).toEqual(["unsupported_media_type", 415, "The upload is empty."]);
    expect(answer(rejectUpload.notAnAcceptedImage("application/pdf (.pdf)", new Set(["image/png", "image/gif"])))).toEqual([
      "unsupported_media_type",
      415,
      "The upload is application/pdf (.pdf). Accepted formats: image/png, image/gif.",
    ]);
    expect(answer(rejectUpload.unreadableHeader())).toEqual(["unreadable_image", 422, "The image header could not be read."]);
    expect(answer(rejectUpload.headerWithoutSize())).toEqual(["unreadable_image", 422, "The image header has no dimensions."]);
    expect(answer(rejectUpload.tooManyPixels(100, 50, 4096))).toEqual(["too_many_pixels", 422, "The image is 100×50 (5000 pixels); the limit is 4096 pixels."]);
    expect(answer(missingImage.notFinished("pending", "abc"))).toEqual(["result_not_ready", 409, "The task is pending; poll /result/abc."]);
    expect(answer(missingImage.annotateOff())).toEqual(["no_annotated_image", 404, "The task ran with annotate=false."]);
    expect(answer(missingImage.taskUnsuccessful("failed"))).toEqual(["no_annotated_image", 404, "The task failed; there is no image."]);
    expect(answer(missingImage.taskUnsuccessful("canceled"))).toEqual(["no_annotated_image", 404, "The task was canceled; there is no image."]);
    expect(answer(serverFault.unexpected())).toEqual(["internal_error", 500, "Something went wrong on our side."]);
    expect(answer(imageFailure.undecodable())).toEqual(["decode_failed", 422, "The image could not be decoded: it may be truncated or corrupt."]);
  });

  test("unknown classes name the classes field and the ids the model knows", () => {
    const err = rejectUpload.unknownClasses(['"unicorn"'], 80);
    expect(answer(err)).toEqual(["invalid_parameter", 422, 'classes: unknown class "unicorn". The model knows ids 0-79 and their names (see GET /models).']);
    expect(err.fields).toEqual([{ field: "classes", message: 'unknown class "unicorn"; use ids 0-79 or class names' }]);
  });

  test("invalid fields list every field in the message and in errors", () => {
    const fields = [{ field: "conf", message: "must be a number from 0 to 1" }, { field: "max_det", message: "must be a whole number from 1 to 300" }];
    const err = rejectRequest.invalidFields(fields);
    expect(answer(err)).toEqual(["validation_failed", 422, "Invalid conf, max_det."]);
    expect(err.fields).toEqual(fields);
  });

  test("a refusal the client may retry carries its Retry-After; the others do not", () => {
    expect(refuse.notReady().retryAfterS).toBeGreaterThan(0);
    expect(rejectUpload.tooLarge(2, 1).retryAfterS).toBeUndefined();
    expect(rejectRequest.unauthorized()).toBeInstanceOf(DomainError);
  });
});
