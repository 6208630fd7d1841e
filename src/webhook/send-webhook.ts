import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { WEBHOOK_TIMEOUT_MS } from "../domain/webhook";
import { refusalOf } from "./address-policy";
import { checkedAddresses, type Resolver } from "./resolve-host";

/** What one attempt came to: the receiver's status, or why there was none. */
export type AttemptResult = { status: number } | { error: string };

export interface SendOptions {
  allowPrivate: boolean;
  resolve: Resolver;
  timeoutMs?: number;
}

/**
 * POSTs one signed event. node:http rather than fetch, because it lets us
 * choose the address: the `lookup` below resolves the host, refuses it unless
 * every address is allowed, and hands the connection one checked address; the
 * socket's remote address is checked again once connected, before a byte of
 * the body is written. Redirects are not followed (node:http never does), a
 * fresh connection is used each time (no agent: nothing idles between
 * attempts), and the response body is discarded unread.
 */
export function sendWebhook(url: URL, body: string, headers: Record<string, string>, opts: SendOptions): Promise<AttemptResult> {
  const lookup: LookupFunction = (host, options, callback) => {
    void checkedAddresses(host, opts.allowPrivate, opts.resolve).then((checked) => {
      if ("refused" in checked) return callback(Object.assign(new Error(`refused: ${checked.refused}`), { code: "EFORBIDDEN" }), "", 4);
      const address = checked.addresses[0];
      const family = address.includes(":") ? 6 : 4;
      if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    });
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(url, {
      method: "POST",
      agent: false,
      lookup,
      headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "yolo-detect-webhooks" },
    });
    // Real time, whatever clock the tasks run on: this bounds a socket, not a task.
    const timer = setTimeout(() => finish({ error: `no answer within ${opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS} ms` }), opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    req.on("error", (err) => finish({ error: err.message.startsWith("refused: ") ? err.message.slice(9) : `connection failed (${(err as NodeJS.ErrnoException).code ?? err.message})` }));
    req.on("response", (res) => {
      res.resume();
      finish({ status: res.statusCode ?? 0 });
    });
    req.on("socket", (socket) => {
      const send = () => {
        // The address actually connected to, whatever resolved it: a rebinding DNS cannot slip past.
        const why = socket.remoteAddress ? refusalOf(socket.remoteAddress, opts.allowPrivate) : "no remote address";
        if (why) return finish({ error: why });
        req.end(body);
      };
      if (socket.connecting) socket.once(url.protocol === "https:" ? "secureConnect" : "connect", send);
      else send();
    });
  });
}
