import { WEBHOOK_TIMEOUT_MS } from "../domain/webhook";
import { pinnedRequest } from "../outbound/pinned-request";
import type { Resolver } from "../outbound/resolve-host";

/** What one attempt came to: the receiver's status, or why there was none. */
export type AttemptResult = { status: number } | { error: string };

export interface SendOptions {
  allowPrivate: boolean;
  resolve: Resolver;
  timeoutMs?: number;
}

/**
 * POSTs one signed event over a pinned connection (src/outbound/pinned-request.ts:
 * only allowed addresses, checked again once connected, no redirects, no agent);
 * the response body is discarded unread.
 */
export function sendWebhook(url: URL, body: string, headers: Record<string, string>, opts: SendOptions): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const allHeaders = { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "yolo-detect-webhooks" };
    const req = pinnedRequest(url, { method: "POST", headers: allHeaders }, opts, {
      checked: (r) => r.end(body),
      refused: (why) => finish({ error: why }),
      failed: (code) => finish({ error: `connection failed (${code})` }),
    });
    // Real time, whatever clock the tasks run on: this bounds a socket, not a task.
    const timer = setTimeout(() => finish({ error: `no answer within ${opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS} ms` }), opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    req.on("response", (res) => {
      res.resume();
      finish({ status: res.statusCode ?? 0 });
    });
  });
}
