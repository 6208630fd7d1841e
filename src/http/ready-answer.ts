import type { Static } from "elysia";
import { CreatedTaskView } from "./schemas";

/** The top-level fields of a task view in the schema's order: the order Elysia writes a returned view in. */
const FIELD_ORDER = Object.keys(CreatedTaskView.properties) as (keyof Static<typeof CreatedTaskView>)[];

/**
 * An open task's view (pending or processing: no result, no error) as the
 * finished HTTP answer, the JSON Elysia would write for it, fields in the
 * schema's order. Returning the view itself makes Elysia check and re-encode
 * it against the schema and then copy its Response to merge the headers hooks
 * have set (CORS), on every upload; a ready Response is sent as it is. The
 * headers set so far go into it and leave `set`, as result.controller.ts
 * does for polls.
 */
export function openViewAnswer(view: Static<typeof CreatedTaskView>, status: number, set: { headers: Record<string, unknown> }): Response {
  const ordered: Record<string, unknown> = {};
  for (const field of FIELD_ORDER) if (view[field] !== undefined) ordered[field] = view[field];
  return jsonAnswer(ordered, status, set);
}

/** A ready JSON Response with the headers hooks have set so far moved into it (several tasks' answer). */
export function jsonAnswer(body: unknown, status: number, set: { headers: Record<string, unknown> }): Response {
  const headers = set.headers as Record<string, string>;
  set.headers = {};
  headers["Content-Type"] = "application/json;charset=utf-8";
  return new Response(JSON.stringify(body), { status, headers });
}
