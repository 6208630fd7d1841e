import { Elysia } from "elysia";
import { DomainError, type ErrorCode, type FieldError } from "../domain/errors";
import type { Logger } from "../util/logger";
import { knobErrors } from "./knob-errors";
import { problemBody, problemResponse } from "./problem";

type ValidationIssue = { path?: string };

/**
 * Per-field messages written from our own rules, so neither Elysia's schema
 * dump nor the client's input is echoed back.
 */
function fieldErrors(error: { all?: ValidationIssue[] }, body: unknown, query: unknown): FieldError[] {
  const knobs = [...knobErrors(query), ...knobErrors(body)];
  if (knobs.length) return [...new Map(knobs.map((k) => [k.field, k])).values()];
  const fields = new Set((error.all ?? []).map((i) => (i.path ?? "").replace(/^\//, "").split("/")[0] || "request"));
  return [...fields].map((field) => ({ field, message: field === "file" ? "a file field is required" : "is not valid here" }));
}

/** Maps every error, ours or Elysia's, to problem+json; nothing internal leaks. */
export function errorHandler(log: Logger, onProblem?: (code: ErrorCode) => void) {
  return new Elysia({ name: "error-handler" }).onError({ as: "global" }, ({ code, error, request, path, body, query }) => {
    // The path is echoed back, so it is bounded.
    const instance = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    // Elysia wraps whatever a parse hook throws in a ParseError; ours are in `cause`.
    const domain = error instanceof DomainError ? error : (error as { cause?: unknown })?.cause;
    if (domain instanceof DomainError) error = domain;
    if (error instanceof DomainError) {
      onProblem?.(error.code);
      const headers: Record<string, string> = {};
      if (error.retryAfterS !== undefined) headers["retry-after"] = String(error.retryAfterS);
      if (error.code === "unauthorized") headers["www-authenticate"] = 'Bearer realm="yolo-detect"';
      return problemResponse(problemBody(error.code, error.message, { instance, errors: error.fields }), headers);
    }
    switch (code) {
      case "VALIDATION": {
        if ((error as { type?: string }).type === "response") {
          log.error("response failed its schema", { path, error: error instanceof Error ? error.message.slice(0, 2000) : String(error) });
          return problemResponse(problemBody("internal_error", "Something went wrong on our side.", { instance }));
        }
        const errors = fieldErrors(error as { all?: ValidationIssue[] }, body, query);
        if (errors.length === 1 && errors[0].field === "file") {
          onProblem?.("missing_file");
          return problemResponse(problemBody("missing_file", "Send the image as a multipart/form-data field named `file`.", { instance }));
        }
        onProblem?.("validation_failed");
        return problemResponse(
          problemBody("validation_failed", `Invalid ${errors.map((e) => e.field).join(", ")}.`, { instance, errors }),
        );
      }
      case "NOT_FOUND":
        return problemResponse(problemBody("route_not_found", `No route for ${request.method} ${instance}.`, { instance }));
      case "PARSE":
        onProblem?.("malformed_request");
        return problemResponse(problemBody("malformed_request", "The request body could not be parsed.", { instance }));
      default:
        log.error("unhandled error", { path, code: String(code), error: error instanceof Error ? error.stack : String(error) });
        return problemResponse(problemBody("internal_error", "Something went wrong on our side.", { instance }));
    }
  });
}
