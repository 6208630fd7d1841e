/**
 * A real webhook receiver on loopback (127.0.0.1 only: no test sends a
 * packet anywhere else). Each path behaves as its test needs: it answers the
 * statuses queued for it in turn (then 200), or holds a request unanswered.
 */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly plans = new Map<string, (number | "hang")[]>();
  private readonly waiters: { path: string; count: number; resolve: () => void }[] = [];
  private readonly hung: (() => void)[] = [];
  private readonly server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (req) => {
      const path = new URL(req.url).pathname;
      this.received.push({ path, headers: Object.fromEntries(req.headers), body: await req.text() });
      for (const w of [...this.waiters]) if (this.of(w.path).length >= w.count) w.resolve();
      const next = this.plans.get(path)?.shift() ?? 200;
      if (next === "hang") return new Promise<Response>((resolve) => this.hung.push(() => resolve(new Response("late"))));
      return new Response(next === 200 ? "ok" : "no", { status: next });
    },
  });

  /** A URL on this receiver; `plan` is what its first requests get (status, or "hang"), 200 after that. */
  url(path: string, plan: (number | "hang")[] = []): string {
    this.plans.set(path, [...plan]);
    return `http://127.0.0.1:${this.server.port}${path}`;
  }

  of(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves once `count` requests have reached `path`, or rejects after `ms`. */
  waitFor(path: string, count: number, ms = 30_000): Promise<Received[]> {
    if (this.of(path).length >= count) return Promise.resolve(this.of(path));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${path} got ${this.of(path).length} of ${count} requests in ${ms} ms`)), ms);
      this.waiters.push({ path, count, resolve: () => (clearTimeout(timer), resolve(this.of(path))) });
    });
  }

  stop() {
    for (const release of this.hung) release();
    this.server.stop(true);
  }
}

/** A resolver for the service under test: localhost is loopback, and no other name is ever looked up. */
export async function loopbackOnly(host: string): Promise<string[]> {
  if (host === "localhost") return ["127.0.0.1", "::1"];
  throw new Error(`tests resolve no name but localhost (asked for ${host})`);
}

/** A Standard Webhooks secret for tests. */
export const TEST_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
