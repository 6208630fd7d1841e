import http, { type ClientRequest, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { type PrivateAllowance, refusalOf } from "./address-policy";
import { checkedAddresses, type Resolver } from "./resolve-host";

/** Whether non-public addresses may be reached (WEBHOOK_ALLOW_PRIVATE, IMAGE_URL_ALLOW_PRIVATE) and how names resolve. */
export interface AddressRule {
  allowPrivate: PrivateAllowance;
  resolve: Resolver;
}

/** What a pinned request's connection came to, before a byte of the request is sent. */
export interface PinEvents {
  /** connected to an allowed address: send the request now (end it) */
  checked(req: ClientRequest): void;
  /** the host or the connected address is not allowed; the request is destroyed */
  refused(why: string): void;
  /** the connection failed otherwise (refused, reset, TLS); `code` as node names it */
  failed(code: string): void;
}

/**
 * A node:http(s) request that may reach only allowed addresses. node:http
 * rather than fetch, because it lets us choose the address: the `lookup`
 * resolves the host, refuses it unless every address is allowed, and hands the
 * connection one checked address; the socket's remote address is checked again
 * once connected, before a byte of the request is written, so a rebinding DNS
 * cannot slip past. No agent (a fresh connection, nothing idles) and no
 * redirects (node:http never follows one): a caller that follows them makes a
 * new pinned request per hop.
 */
export function pinnedRequest(url: URL, options: { method: string; headers: OutgoingHttpHeaders }, rule: AddressRule, events: PinEvents): ClientRequest {
  const lookup: LookupFunction = (host, opts, callback) => {
    void checkedAddresses(host, rule.allowPrivate, rule.resolve).then((checked) => {
      if ("refused" in checked) return callback(Object.assign(new Error(`refused: ${checked.refused}`), { code: "EFORBIDDEN" }), "", 4);
      const address = checked.addresses[0];
      const family = address.includes(":") ? 6 : 4;
      if (opts.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    });
  };
  const client = url.protocol === "https:" ? https : http;
  const req = client.request(url, { ...options, agent: false, lookup });
  req.on("error", (err) => {
    if (err.message.startsWith("refused: ")) events.refused(err.message.slice(9));
    else events.failed((err as NodeJS.ErrnoException).code ?? err.message);
  });
  req.on("socket", (socket) => {
    const send = () => {
      // The address actually connected to, whatever resolved it.
      const why = socket.remoteAddress ? refusalOf(socket.remoteAddress, rule.allowPrivate) : "no remote address";
      if (!why) return events.checked(req);
      req.destroy();
      events.refused(why);
    };
    if (socket.connecting) socket.once(url.protocol === "https:" ? "secureConnect" : "connect", send);
    else send();
  });
  return req;
}
