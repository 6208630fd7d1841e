import diagnostics from "node:diagnostics_channel";

/**
 * Gives Bun's diagnostics_channel TracingChannel the `hasSubscribers` getter
 * Node has (true when any of its five channels has a subscriber).
 *
 * Why: ioredis (5.11) asks `channel.hasSubscribers !== false` before every
 * command, and Bun's TracingChannel has no such property, so ioredis traced
 * every command with nobody listening: it turned every argument into a
 * string (an upload's 100 KB Buffer as UTF-8 text, an annotated JPEG, the
 * result JSON) and wrapped the command in extra promises. Profiled under the
 * compare bench, that was a third of the API replica's main-thread CPU and of
 * the inference process's. With the getter, a tracer that does subscribe
 * (OpenTelemetry's ioredis instrumentation) still gets every command.
 * Idempotent, and a no-op on a runtime that already has the getter.
 */
export function giveTracingChannelsHasSubscribers(): void {
  if (typeof diagnostics.tracingChannel !== "function") return;
  const proto = Object.getPrototypeOf(diagnostics.tracingChannel("yolo:probe")) as object;
  // Only on TracingChannel's own prototype, never on Object's.
  if (proto === Object.prototype || "hasSubscribers" in proto) return;
  Object.defineProperty(proto, "hasSubscribers", {
    configurable: true,
    get(this: Record<"start" | "end" | "asyncStart" | "asyncEnd" | "error", diagnostics.Channel | undefined>) {
      return Boolean(this.start?.hasSubscribers || this.end?.hasSubscribers || this.asyncStart?.hasSubscribers || this.asyncEnd?.hasSubscribers || this.error?.hasSubscribers);
    },
  });
}
