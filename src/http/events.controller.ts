import { Elysia, t } from "elysia";
import { refuse } from "../domain/errors";
import type { ServiceStats, ServiceStatsHub } from "../monitor/service-stats";
import { problemResponseObjects, readOnlyErrors } from "./problem-docs";
import { sseResponse, sseStream } from "./sse";

const count = t.Integer({ minimum: 0 });
/** One `stats` event's data (documented; the stream itself is text). */
export const ServiceStatsView = t.Object(
  {
    at: t.String({ format: "date-time" }),
    queue_depth: count,
    tasks: t.Record(t.String(), count, { description: "Tasks by status, where the store knows them" }),
    workers: t.Object({ total: count, warm: count, busy: count }, { description: "Every inference worker of this queue" }),
    clients_waiting: t.Integer({ minimum: 0, description: "Clients with tasks waiting: each gets one turn in this many" }),
    throughput: t.Array(count, { description: "Completions per second over the last minute, oldest first" }),
    images_per_second: t.Number({ description: "Their mean" }),
  },
  { description: "The service's counts at one moment: nothing about any client's tasks" },
);

const EXAMPLE: ServiceStats = {
  at: "2026-11-30T17:20:00.000Z",
  queue_depth: 7,
  tasks: { pending: 7, processing: 3, completed: 212, failed: 1, canceled: 2 },
  workers: { total: 3, warm: 3, busy: 3 },
  clients_waiting: 2,
  throughput: [...Array(57).fill(0), 12, 14, 13],
  images_per_second: 0.65,
};

/** `GET /events`: the live panel's feed, or one reading as JSON. */
export function eventsController(hub: ServiceStatsHub) {
  return new Elysia({ name: "events", tags: ["Service"] }).get(
    "/events",
    async ({ request }) => {
      const accept = request.headers.get("accept") ?? "";
      // `Accept: application/json` (and not event-stream): one reading, for curl and scripts.
      if (accept.includes("application/json") && !accept.includes("text/event-stream")) return Response.json(await hub.current());
      // A `stats` event now and at every change. Past the listener cap, subscribing throws
      // too_many_subscribers here, before any answer: the client gets the problem, not a 200.
      const stream = sseStream(request.signal, (channel) => hub.subscribe((_, json) => channel.send(`event: stats\ndata: ${json}\n\n`)));
      return sseResponse(stream);
    },
    {
      detail: {
        operationId: "streamServiceEvents",
        summary: "Stream the service's counts (Server-Sent Events)",
        description:
          "A `stats` event now and whenever a count changes (read at most twice a second): queue depth, tasks by status, " +
          "inference workers busy and idle, clients waiting (each gets one turn in that many), and completions per second over the last minute. " +
          "Counts only: nothing about any client's tasks. At most `EVENTS_MAX_SUBSCRIBERS` listeners at once.",
        responses: {
          200: {
            description: "`stats` events, each data the JSON below; with `Accept: application/json`, one reading as JSON",
            content: {
              "text/event-stream": { schema: { type: "string" }, example: `event: stats\ndata: ${JSON.stringify(EXAMPLE)}\n\n` },
              // A TypeBox schema is JSON Schema; only the OpenAPI typings do not know its symbol keys.
              "application/json": { schema: ServiceStatsView as never, example: EXAMPLE },
            },
          },
          ...problemResponseObjects("/events", refuse.tooManySubscribers(hub.maxSubscribers), ...readOnlyErrors("/events")),
        },
      },
    },
  );
}
