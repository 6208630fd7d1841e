/** Server-Sent Events plumbing shared by the task stream and the service-wide stream. */

const KEEPALIVE_MS = 15_000;
const encoder = new TextEncoder();

/** What a stream's feeder writes to. */
export interface SseChannel {
  /** writes raw event text; a client gone by then ends the stream instead of throwing */
  send(text: string): void;
  /** ends the stream (the client sees it end) */
  close(): void;
  readonly closed: boolean;
}

/**
 * A text/event-stream body. `open` starts whatever feeds the channel and
 * returns what stops it; it runs at once, so what it throws is thrown here,
 * before any answer is sent. A comment every 15 s keeps proxies from timing
 * the stream out. It ends when the client leaves (`signal`), when the feeder
 * closes it, or when a write fails; the feeder is stopped exactly once.
 */
export function sseStream(signal: AbortSignal, open: (channel: SseChannel) => () => void): ReadableStream<Uint8Array> {
  let closed = false;
  let stop: (() => void) | undefined;
  let keepalive: ReturnType<typeof setInterval> | undefined;
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    stop?.();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const channel: SseChannel = {
        get closed() {
          return closed;
        },
        send(text) {
          if (closed) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            finish();
          }
        },
        close() {
          if (closed) return;
          finish();
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        },
      };
      keepalive = setInterval(() => channel.send(": keep-alive\n\n"), KEEPALIVE_MS);
      try {
        stop = open(channel);
      } catch (err) {
        clearInterval(keepalive);
        throw err;
      }
      // The feeder may have closed the stream while it started (a task already finished).
      if (closed) stop();
      else signal.addEventListener("abort", () => channel.close());
    },
    cancel: finish,
  });
}

/** The answer that carries an event stream: never cached, never buffered by a proxy. */
export function sseResponse(stream: ReadableStream<Uint8Array>): Response {
  return new Response(stream, { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no" } });
}
