/**
 * Every failure the service can report, by stable code. The domain only names
 * what went wrong; src/http/problem.ts alone decides which HTTP status it gets.
 */
export type ErrorCode =
  // rejected at upload
  | "payload_too_large"
  | "unsupported_media_type"
  | "not_multipart"
  | "missing_file"
  | "unreadable_image"
  | "too_many_pixels"
  | "invalid_parameter"
  | "validation_failed"
  | "malformed_request"
  | "unauthorized"
  // backpressure
  | "queue_full"
  | "memory_full"
  // lookups
  | "task_not_found"
  | "route_not_found"
  | "result_not_ready"
  | "no_annotated_image"
  | "task_finished"
  // service state
  | "not_ready"
  | "draining"
  | "backend_unavailable"
  | "internal_error"
  // a task that was accepted and then failed
  | "decode_failed"
  | "inference_failed"
  | "worker_crashed"
  | "worker_lost"
  | "timeout";

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldError[],
    /** when the client may try again, in seconds (backpressure, not ready) */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}
