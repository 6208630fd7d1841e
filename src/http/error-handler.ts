import { Elysia } from "elysia";
import { DomainError, type ErrorCode, type FieldError, rejectRequest, serverFault } from "../domain/errors";
import type { Logger } from "../util/logger";
import type { PeerSource } from "./client-identity";
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

function headersOf(error: DomainError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.retryAfterS !== undefined) headers["Retry-After"] = String(error.retryAfterS);
  if (error.code === "unauthorized") headers["WWW-Authenticate"] = 'Bearer realm="yolo-detect"';
  // A stalled upload's connection is dropped, and with it whatever it still holds.
  if (error.code === "upload_timeout") headers.connection = "close";
  return headers;
}

/** Maps every error, ours or Elysia's, to problem+json; nothing internal leaks. */
export function errorHandler(log: Logger, onProblem?: (code: ErrorCode, request: Request, server: PeerSource | null | undefined) => void) {
  return new Elysia({ name: "error-handler" }).onError({ as: "global" }, ({ code, error, request, path, body, query, server }) => {
    // The path is echoed back, so it is bounded.
    const instance = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    // Elysia wraps whatever a parse hook throws in a ParseError; ours are in `cause`.
    const domain = error instanceof DomainError ? error : (error as { cause?: unknown })?.cause;
    if (domain instanceof DomainError) error = domain;
    /** Refusals are counted; a missing route or our own failure is not a refusal. */
    const answer = (err: DomainError, counted = true) => {
      if (counted) onProblem?.(err.code, request, server);
      return problemResponse(problemBody(err.code, err.message, { instance, errors: err.fields }), headersOf(err));
    };
    if (error instanceof DomainError) return answer(error);
    switch (code) {
      case "VALIDATION": {
        if ((error as { type?: string }).type === "response") {
          log.error("response failed its schema", { path, error: error instanceof Error ? error.message.slice(0, 2000) : String(error) });
          return answer(serverFault.unexpected(), false);
        }
        const errors = fieldErrors(error as { all?: ValidationIssue[] }, body, query);
        if (errors.length === 1 && errors[0].field === "file") return answer(rejectRequest.missingFile());
        return answer(rejectRequest.invalidFields(errors));
      }
      case "NOT_FOUND":
        return answer(rejectRequest.noRoute(request.method, instance), false);
      case "PARSE":
        return answer(rejectRequest.malformedBody());
      default:
        log.error("unhandled error", { path, code: String(code), error: error instanceof Error ? error.stack : String(error) });
        return answer(serverFault.unexpected(), false);
    }
  });
}
