import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect } from "node:net";
import { readImage } from "../support/paths";
import { startTestService, type TestService } from "../support/test-service";

// Header names are case-insensitive, but a client that prints them saw `retry-after` beside
// `Location` (issue 27): Bun writes the names it knows in their usual case and the others as
// given, so every name the service sets is written in its usual case. Only the wire shows it.
let svc: TestService;
let server: ReturnType<typeof Bun.serve>;
beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1", API_KEY: "k" });
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => svc.app.handle(req) });
});
afterAll(() => {
  server.stop(true);
  svc.stop();
});

/** The header names of one raw HTTP/1.1 exchange, as written on the wire. */
function headerNames(request: Uint8Array): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let raw = "";
    const socket = connect({ host: "127.0.0.1", port: server.port! }, () => socket.write(request));
    socket.on("data", (d) => {
      raw += d.toString("latin1");
      const end = raw.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.destroy();
      resolve(raw.slice(0, end).split("\r\n").slice(1).map((line) => line.slice(0, line.indexOf(":"))));
    });
    socket.on("error", reject);
  });
}

const text = (s: string) => new TextEncoder().encode(s);
/** Each part capitalised (Retry-After), or an acronym in capitals (WWW-Authenticate). */
const usualCase = /^([A-Z][a-z0-9]*|[A-Z]+)(-([A-Z][a-z0-9]*|[A-Z]+))*$/;

test("every response header name is in its usual case: an upload's 201, its poll, a 401 and a 429-style problem", async () => {
  const dog = await readImage("dog.jpg");
  const boundary = "xyz";
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="dog.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    Buffer.from(dog),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const post = (key: string) =>
    Buffer.concat([
      text(`POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://a.example\r\nX-API-Key: ${key}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`),
      body,
    ]);
  const names = [
    ...(await headerNames(post("k"))),
    ...(await headerNames(post("wrong"))),
    ...(await headerNames(text("GET /result/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))),
    ...(await headerNames(text("OPTIONS /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://a.example\r\nAccess-Control-Request-Method: POST\r\n\r\n"))),
  ];
  expect(names).toContain("Retry-After");
  expect(names).toContain("WWW-Authenticate");
  expect(names.filter((n) => !usualCase.test(n))).toEqual([]);
});
