import { describe, expect, test } from "bun:test";
import { controlService } from "../support/control-service";
import { getJson, taskIdOf as idOf, upload } from "../support/http";
import { startTestService, type TestService } from "../support/test-service";

let svc: TestService;
let dog: Uint8Array;
controlService((s, d) => ((svc = s), (dog = d)));


describe("API key and CORS", () => {
  test("with API_KEY, uploads and cancels need it; results stay readable by id", async () => {
    const locked = await startTestService({ WORKERS: "1", API_KEY: "s3cret-key" });
    try {
      const denied = await upload(locked.app, dog);
      expect(denied.status).toBe(401);
      expect(denied.headers.get("www-authenticate")).toContain("Bearer");
      expect(((await denied.json()) as any).code).toBe("unauthorized");
      expect((await upload(locked.app, dog, { headers: { authorization: "Bearer wrong-key!" } })).status).toBe(401);
      const viaBearer = await upload(locked.app, dog, { headers: { authorization: "Bearer s3cret-key" } });
      expect(viaBearer.status).toBe(201);
      const id = await idOf(viaBearer);
      expect((await upload(locked.app, dog, { headers: { "x-api-key": "s3cret-key" } })).status).toBe(201);
      expect((await getJson(locked.app, `/result/${id}`)).res.status).toBe(200);
      const cancel = await locked.app.handle(new Request(`http://localhost/result/${id}/cancel`, { method: "POST" }));
      expect(cancel.status).toBe(401);

      // On a real socket: a huge body sent to a cancel route is answered at once, not buffered.
      const server = locked.app.listen({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: Number.MAX_SAFE_INTEGER });
      try {
        let sent = 0;
        const endless = new ReadableStream({
          async pull(c) {
            if (sent >= 500e6) return c.close();
            sent += 1e6;
            c.enqueue(new Uint8Array(1e6));
            await Bun.sleep(1);
          },
        });
        const res = await fetch(`http://127.0.0.1:${server.server!.port}/result/${id}/cancel`, { method: "POST", body: endless });
        expect(res.status).toBe(401);
        expect(sent).toBeLessThan(50e6);
      } finally {
        server.stop(true);
      }
    } finally {
      locked.stop();
    }
  });

  test("with API_KEYS, each key's name is its client: in the log, and for cancels, which need a key too", async () => {
    const keyed = await startTestService({ WORKERS: "1", API_KEYS: "alice:k-alice,bob:k-bob", API_KEY: "k-old" });
    try {
      const res = await upload(keyed.app, dog, { headers: { authorization: "Bearer k-alice" } });
      expect(res.status).toBe(201);
      const id = await idOf(res);
      expect(keyed.logs.find((l) => l.task_id === id && l.status === "pending")?.client).toBe("key:alice");
      expect((await upload(keyed.app, dog, { headers: { "x-api-key": "k-old" } })).status).toBe(201); // API_KEY still works, as "default"
      expect((await upload(keyed.app, dog, { headers: { "x-api-key": "k-carol" } })).status).toBe(401);
      const cancel = (key?: string) =>
        keyed.app.handle(new Request(`http://localhost/result/${id}/cancel`, { method: "POST", headers: key ? { "x-api-key": key } : {} }));
      expect((await cancel()).status).toBe(401);
      expect((await cancel("k-bob")).status).toBe(200);
    } finally {
      await keyed.stop();
    }
  });

  test("CORS: a plain * without credentials by default; only listed origins, with Vary: Origin, when CORS_ORIGINS is set", async () => {
    const preflight = (app: TestService["app"], origin: string, requested?: string) =>
      app.handle(
        new Request("http://localhost/predict", {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "POST", ...(requested ? { "access-control-request-headers": requested } : {}) },
        }),
      );
    const corsHeaders = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => k.startsWith("access-control") || k === "vary"));
    const open = await preflight(svc.app, "https://anyone.example");
    expect(open.status).toBe(204);
    expect(corsHeaders(open)).toEqual({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers": "Authorization, X-API-Key, Content-Type, Prefer, Last-Event-ID, Idempotency-Key",
      "access-control-expose-headers": "Location, Retry-After, Preference-Applied, Idempotent-Replayed",
      "access-control-max-age": "600",
    });
    expect(corsHeaders(await preflight(svc.app, "https://anyone.example", "x-api-key, prefer"))["access-control-allow-headers"]).toBe("x-api-key, prefer");
    // a simple request, and an error answer, carry it too; never credentials, never Vary: *
    for (const path of ["/health/live", "/result/no-such-task"]) {
      const res = await svc.app.handle(new Request(`http://localhost${path}`, { headers: { origin: "https://anyone.example" } }));
      expect([path, res.headers.get("access-control-allow-origin"), res.headers.get("access-control-allow-credentials"), res.headers.get("vary")]).toEqual([path, "*", null, null]);
    }
    for (const value of Object.values(corsHeaders(open))) expect(value).not.toContain("undefined");
    const strict = await startTestService({ WORKERS: "1", CORS_ORIGINS: "https://app.example" }, { waitReady: false });
    try {
      const listed = await preflight(strict.app, "https://app.example");
      expect([listed.headers.get("access-control-allow-origin"), listed.headers.get("vary"), listed.headers.get("access-control-allow-credentials")]).toEqual(["https://app.example", "Origin", null]);
      const other = await preflight(strict.app, "https://evil.example");
      expect([other.headers.get("access-control-allow-origin"), other.headers.get("access-control-allow-methods"), other.headers.get("vary")]).toEqual([null, null, "Origin"]);
      const plain = await strict.app.handle(new Request("http://localhost/health/live", { headers: { origin: "https://app.example" } }));
      expect([plain.headers.get("access-control-allow-origin"), plain.headers.get("vary")]).toEqual(["https://app.example", "Origin"]);
    } finally {
      strict.stop();
    }
  });
});
