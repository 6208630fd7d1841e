import type { TSchema } from "@sinclair/typebox";
import { type DomainError, rejectRequest, serverFault } from "../domain/errors";
import { problemBody, statusOf } from "./problem";
import { Problem } from "./schemas";

/**
 * An operation's error answers for its route schema, built from the errors its
 * handlers and hooks really throw (the factories in domain/errors.ts). The
 * status comes from problem.ts and each example is the body the error handler
 * sends for that error, so the document cannot drift from either. Errors that
 * share a status share one response, with one example per code.
 */
export function problemResponses(instance: string, ...errors: DomainError[]): Record<number, TSchema> {
  const byStatus = new Map<number, DomainError[]>();
  for (const error of errors) {
    const status = statusOf(error.code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), error]);
  }
  const responses: Record<number, TSchema> = {};
  for (const [status, group] of byStatus) {
    const bodies = group.map((e) => problemBody(e.code, e.message, { instance, errors: e.fields }));
    const codes = [...new Map(bodies.map((b) => [b.code, `\`${b.code}\` (${b.title})`])).values()];
    // A copy of the Problem schema (its TypeBox kind included) with this status's own description and examples.
    responses[status] = { ...Problem, description: codes.join("; "), examples: bodies };
  }
  return responses;
}

/**
 * The same answers as OpenAPI response objects, for routes whose success is
 * not JSON (the JPEG, the event stream) and so document their responses in
 * `detail` rather than in a route schema.
 */
export function problemResponseObjects(instance: string, ...errors: DomainError[]) {
  const objects: Record<number, { description: string; content: Record<string, { schema: TSchema }> }> = {};
  for (const [status, schema] of Object.entries(problemResponses(instance, ...errors))) {
    objects[Number(status)] = { description: schema.description!, content: { "application/problem+json": { schema } } };
  }
  return objects;
}

/**
 * The errors of an operation that takes no input (probes, metrics): its only
 * client error is a method the path does not take, documented so linters and
 * generated clients see the error shape there too.
 */
export function readOnlyErrors(path: string): DomainError[] {
  return [rejectRequest.noRoute("POST", path), serverFault.unexpected()];
}
