import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fetchImage, parseImageUrl } from "../../src/outbound/fetch-image";
import { readImage } from "../support/paths";

// An image fetched by URL, on loopback servers only. 127.0.0.2 stands for the public side
// (the rule's predicate lets it through); 127.0.0.1 is what it is, a private address.
const PUBLIC = "127.0.0.2";
const rule = { allowPrivate: (address: string) => address === PUBLIC, resolve: async () => [PUBLIC] };
const limits = { ...rule, maxBytes: 1024 * 1024, timeoutMs: 2000 };

let dog: Uint8Array;
/** bytes each endless body managed to send */
const sentBy: Record<string, number> = {};
const endless = (name: string) => new ReadableStream({ async pull(c) { await Bun.sleep(5); sentBy[name] = (sentBy[name] ?? 0) + 65536; c.enqueue(new Uint8Array(65536)); } });
let outside: ReturnType<typeof Bun.serve>;
let inside: ReturnType<typeof Bun.serve>;
const insideHits: string[] = [];

beforeAll(async () => {
  dog = await readImage("dog.jpg");
  inside = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => (insideHits.push(new URL(req.url).pathname), new Response("secret")) });
  outside = Bun.serve({
    hostname: PUBLIC,
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/dog.jpg") return new Response(dog as Uint8Array<ArrayBuffer>, { headers: { "content-type": "image/jpeg" } });
      if (path === "/to-inside") return Response.redirect(`http://127.0.0.1:${inside.port}/admin`, 302);
      if (path === "/hop") return Response.redirect("/dog.jpg", 301);
      if (path === "/loop") return Response.redirect("/loop", 302);
      if (path === "/missing") return new Response(endless("missing"), { status: 404 });
      if (path === "/bad-redirect") return new Response(endless("bad-redirect"), { status: 302, headers: { location: "http://[::1" } });
      if (path === "/huge") return new Response(new Uint8Array(50 * 1024 * 1024), { headers: { "content-type": "image/jpeg" } });
      if (path === "/huge-chunked") {
        // 50 MB with no Content-Length: refused while reading, at the limit.
        let sent = 0;
        return new Response(new ReadableStream({ pull(c) { sent += 65536; if (sent > 50 * 1024 * 1024) c.close(); else c.enqueue(new Uint8Array(65536)); } }));
      }
      if (path === "/forever") return new Response(new ReadableStream({ async pull(c) { await Bun.sleep(50); c.enqueue(new Uint8Array(16)); } }));
      return new Response("?", { status: 400 });
    },
  });
});
afterAll(() => {
  outside.stop(true);
  inside.stop(true);
});

const at = (path: string) => parseImageUrl(`http://${PUBLIC}:${outside.port}${path}`);
const codeOf = (p: Promise<unknown>) => p.then(() => "fetched", (err) => err.code as string);

describe("fetchImage", () => {
  test("an image on an allowed address arrives whole, through a redirect on the same server too", async () => {
    expect(await fetchImage(at("/dog.jpg"), limits)).toEqual(dog);
    expect(await fetchImage(at("/hop"), limits)).toEqual(dog);
  });

  test("a redirect to a private address is refused on that hop, before a request reaches it", async () => {
    expect(await codeOf(fetchImage(at("/to-inside"), limits))).toBe("image_url_forbidden");
    expect(insideHits).toEqual([]);
    // and directly, without the rule's allowance: loopback is private
    expect(await codeOf(fetchImage(parseImageUrl(`http://127.0.0.1:${inside.port}/`), { ...limits, allowPrivate: false }))).toBe("image_url_forbidden");
  });

  test("50 MB is refused at the limit: declared, or counted while reading", async () => {
    const seen: number[] = [];
    expect(await codeOf(fetchImage(at("/huge"), limits))).toBe("image_url_too_large");
    expect(await codeOf(fetchImage(at("/huge-chunked"), { ...limits, onChunk: (n) => seen.push(n) }))).toBe("image_url_too_large");
    expect(seen.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(limits.maxBytes);
  });

  test("a body that never ends is cut at the timeout; a redirect loop, a 404 and a closed port are unreachable", async () => {
    expect(await codeOf(fetchImage(at("/forever"), { ...limits, timeoutMs: 300 }))).toBe("image_url_timeout");
    expect(await codeOf(fetchImage(at("/loop"), limits))).toBe("image_url_unreachable");
    expect(await codeOf(fetchImage(at("/missing"), limits))).toBe("image_url_unreachable");
    expect(await codeOf(fetchImage(at("/bad-redirect"), limits))).toBe("image_url_unreachable");
    // The bodies of those answers are not read: their connections are closed at once, so their servers
    // stop within a chunk or two (read on, they would send megabytes a second).
    await Bun.sleep(300);
    for (const name of ["missing", "bad-redirect"]) expect([name, sentBy[name] <= 4 * 65536]).toEqual([name, true]);
    const closed = Bun.serve({ hostname: PUBLIC, port: 0, fetch: () => new Response("") });
    const port = closed.port;
    closed.stop(true);
    expect(await codeOf(fetchImage(parseImageUrl(`http://${PUBLIC}:${port}/x`), limits))).toBe("image_url_unreachable");
  });

  test("only absolute http(s) URLs without credentials", () => {
    for (const bad of ["ftp://example.com/a.jpg", "file:///etc/passwd", "/relative.jpg", "http://user:pw@example.com/a.jpg"]) {
      expect([bad, (() => { try { parseImageUrl(bad); return "ok"; } catch (err) { return (err as { code: string }).code; } })()]).toEqual([bad, "image_url_forbidden"]);
    }
  });
});
