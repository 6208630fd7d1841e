import { expect } from "bun:test";
import { isTerminal } from "../../src/domain/task";

/**
 * A service reached over real HTTP, as a remote client sees it (a child
 * process, a container); tests/support/http.ts is the in-process twin.
 */

/** POST /predict with `bytes` as the file part named `name`. */
export function uploadTo(url: string, bytes: Uint8Array, name: string, headers: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.append("file", new File([bytes as Uint8Array<ArrayBuffer>], name));
  return fetch(`${url}/predict`, { method: "POST", body: form, headers });
}

/** An upload that must be accepted (201): its task id. A refusal fails with its problem (status, code, detail), so the cause is named. */
export async function submitTo(url: string, bytes: Uint8Array, name: string): Promise<string> {
  const res = await uploadTo(url, bytes, name);
  const body = (await res.json().catch(() => ({}))) as any;
  if (res.status !== 201) expect({ status: res.status, code: body.code, detail: body.detail }).toEqual({ status: 201, code: undefined, detail: undefined });
  return body.task_id;
}

/** GET /health as JSON. */
export async function healthOf(url: string): Promise<any> {
  return (await fetch(`${url}/health`)).json();
}

/** Polls a task until it ends (or the deadline passes); returns its last view. */
export async function finalTask(url: string, id: string, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = (await (await fetch(`${url}/result/${id}`)).json()) as any;
    if (isTerminal(task.status) || Date.now() > deadline) return task;
    await Bun.sleep(50);
  }
}
