import { isTerminal } from "../../src/domain/task";
import type { Service } from "../../src/main/create-service";

type App = Service["app"];
const BASE = "http://localhost";

export interface UploadOptions {
  filename?: string;
  /** the Content-Type the client claims for the file part; the service must ignore it */
  type?: string;
  fields?: Record<string, string | string[]>;
  query?: string;
  headers?: Record<string, string>;
  /** send Content-Length as a real client does (default true) */
  contentLength?: boolean;
}

/** A multipart upload exactly as curl or a browser sends it, handled in-process. */
export async function upload(app: App, bytes: Uint8Array, opts: UploadOptions = {}): Promise<Response> {
  const form = new FormData();
  form.append("file", new File([bytes as Uint8Array<ArrayBuffer>], opts.filename ?? "image.jpg", { type: opts.type ?? "image/jpeg" }));
  for (const [k, v] of Object.entries(opts.fields ?? {})) for (const one of [v].flat()) form.append(k, one);
  // Response encodes FormData with its boundary, as a browser would send it.
  const encoded = new Response(form);
  const headers: Record<string, string> = { "content-type": encoded.headers.get("content-type") ?? "", ...opts.headers };
  const body = await encoded.arrayBuffer();
  if (opts.contentLength !== false) headers["content-length"] = String(body.byteLength);
  const stream = opts.contentLength === false ? new Blob([body]).stream() : body;
  return app.handle(new Request(`${BASE}/predict${opts.query ? `?${opts.query}` : ""}`, { method: "POST", body: stream, headers }));
}

/** A bodiless request to the app, as a client would send it. */
export const sendTo = (app: App, method: string, path: string, headers: Record<string, string> = {}) =>
  app.handle(new Request(`http://localhost${path}`, { method, headers }));

/** The id of the task a 201 (or a replayed answer) names. */
export const taskIdOf = async (res: Response) => ((await res.json()) as any).task_id as string;

export async function getJson(app: App, path: string) {
  const res = await app.handle(new Request(`${BASE}${path}`));
  return { res, body: (await res.json()) as any };
}

/** Polls like a client would until the task is finished. */
export async function pollUntilDone(app: App, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { res, body } = await getJson(app, `/result/${id}`);
    if (res.status !== 200) throw new Error(`GET /result/${id} answered ${res.status}: ${JSON.stringify(body)}`);
    if (isTerminal(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`task ${id} still ${body.status} after ${timeoutMs} ms`);
    await Bun.sleep(20);
  }
}

export async function detect(app: App, bytes: Uint8Array, opts: UploadOptions = {}) {
  const res = await upload(app, bytes, opts);
  const created = (await res.json()) as any;
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(created)}`);
  return pollUntilDone(app, created.task_id);
}
