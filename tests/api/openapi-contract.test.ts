import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UPLOAD_REFUSALS } from "../../src/domain/errors";
import { getJson } from "../support/http";
import { REPO } from "../support/paths";
import { startTestService, type TestService } from "../support/test-service";

const KEY = "contract-test-key";
const CONTACT = "https://example.com/yolo-api/issues";
let svc: TestService;
let doc: any;
let dir: string;

beforeAll(async () => {
  // With a key configured, as the "Authorize, then Try it out" scenario runs.
  svc = await startTestService({ API_KEY: KEY, CONTACT_URL: CONTACT }, { waitReady: false });
  doc = (await getJson(svc.app, "/docs/json")).body;
  dir = mkdtempSync(join(tmpdir(), "openapi-lint-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await svc.stop();
});

/** Every operation in the document as [path, method, operation]. */
const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => [path, method, op] as const),
  );

/** The headers Swagger UI's Authorize sends for a security scheme, built from the document alone. */
function credentialsFor(scheme: any, key: string): Record<string, string> {
  if (scheme.type === "http" && scheme.scheme === "bearer") return { authorization: `Bearer ${key}` };
  if (scheme.type === "apiKey" && scheme.in === "header") return { [scheme.name]: key };
  throw new Error(`no way to send a key with ${JSON.stringify(scheme)}`);
}

describe("the OpenAPI document", () => {
  test("passes Redocly's recommended rules with no error and no warning", async () => {
    const file = join(dir, "openapi.json");
    await Bun.write(file, JSON.stringify(doc));
    const lint = Bun.spawn([join(REPO, "node_modules/.bin/redocly"), "lint", "--extends=recommended", "--format=json", file], {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err] = await Promise.all([new Response(lint.stdout).text(), new Response(lint.stderr).text()]);
    await lint.exited;
    let report: { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: unknown }[] };
    try {
      report = JSON.parse(out);
    } catch {
      throw new Error(`redocly did not report JSON (exit ${lint.exitCode}): ${out.slice(0, 500)} ${err.slice(0, 2000)}`);
    }
    const problems = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${JSON.stringify(p.location)}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(lint.exitCode).toBe(0);
  });

  test("every operation has an id usable as a method name and problem+json error answers", () => {
    const ids = operations().map(([, , op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    for (const [path, method, op] of operations()) {
      const statuses = Object.keys(op.responses).map(Number);
      expect(statuses.some((s) => s >= 400 && s < 500), `${method} ${path} has a 4xx`).toBe(true);
      expect(statuses, `${method} ${path}`).toContain(500);
      for (const [status, res] of Object.entries(op.responses) as [string, any][]) {
        const examples = res.content?.["application/problem+json"]?.schema?.examples ?? [];
        const problems = examples.filter((ex: any) => String(ex.type).startsWith("urn:yolo-detect:problem:"));
        if (Number(status) !== 503) expect(problems.length, `${method} ${path} ${status}`).toBe(Number(status) >= 400 ? examples.length || 1 : 0);
        // Each example has the status it is documented under (problem.ts decides both).
        for (const ex of problems) expect(ex.status, `${method} ${path} ${status}`).toBe(Number(status));
      }
    }
  });

  // One list (UPLOAD_REFUSALS) that the controller's samples and the metrics both derive from,
  // where a new code had to be added by hand to each (issue 28).
  test("POST /predict documents every code an upload can be refused with, each once", () => {
    const codes = Object.values(doc.paths["/predict"].post.responses as Record<string, any>).flatMap((res) => (res.content?.["application/problem+json"]?.schema?.examples ?? []).map((ex: any) => ex.code));
    expect([...codes].sort()).toEqual([...UPLOAD_REFUSALS].sort());
  });

  test("writes declare the API key schemes, reads are open, and the document has servers, a licence and a contact", () => {
    const headers = doc.paths["/predict"].post.parameters.filter((p: any) => p.in === "header").map((p: any) => p.name);
    expect(headers.sort()).toEqual(["idempotency-key", "prefer"]);
    expect(doc.servers).toEqual([{ url: "/", description: expect.any(String) }]);
    expect(doc.info.license.name).toContain("AGPL-3.0");
    expect(doc.info.contact).toEqual({ name: expect.any(String), url: CONTACT }); // CONTACT_URL
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearerKey", "headerKey"]);
    for (const [path, method, op] of operations()) {
      const write = !["get", "head", "options"].includes(method);
      // With API_KEY set, a write takes one of the two schemes and nothing less.
      expect(op.security, `${method} ${path}`).toEqual(write ? [{ bearerKey: [] }, { headerKey: [] }] : []);
    }
  });

  test("each security scheme, sent as Swagger UI sends it, gets a cancel past the key check", async () => {
    const cancel = doc.paths["/result/{id}/cancel"].post;
    const url = "http://localhost/result/00000000-0000-4000-8000-000000000000/cancel";
    const without = await svc.app.handle(new Request(url, { method: "POST" }));
    expect(without.status).toBe(401);
    for (const requirement of cancel.security) {
      for (const name of Object.keys(requirement)) {
        const res = await svc.app.handle(new Request(url, { method: "POST", headers: credentialsFor(doc.components.securitySchemes[name], KEY) }));
        // Past the key check: the task is unknown, so 404, not 401.
        expect(res.status, name).toBe(404);
      }
    }
  });

  test("an error example is the service's real answer", async () => {
    const documented = doc.paths["/result/{id}"].get.responses["404"].content["application/problem+json"].schema.examples[0];
    const { res, body } = await getJson(svc.app, documented.instance);
    expect(res.status).toBe(404);
    expect(body).toEqual(documented);
  });
});
