import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { rejectRequest } from "../domain/errors";

/** What Bun's server tells of a connection; absent when the app is driven without a socket (app.handle). */
export interface PeerSource {
  requestIP(request: Request): { address: string } | null;
}

export interface IdentityOptions {
  /** API_KEY (named "default") and API_KEYS; empty: no key is needed */
  keys: { name: string; key: string }[];
  /** proxies in front whose X-Forwarded-For entries are trusted; 0: the header is never read */
  trustProxyHops: number;
}

/** Methods that only read: they stay open when keys are configured (polls by task id, health, docs, preflights). */
const KEY_FREE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request with this method needs a key when keys are configured:
 * writes (uploads, cancels) do. The one rule app.ts enforces and docs.ts
 * documents as each operation's security.
 */
export function needsKey(method: string): boolean {
  return !KEY_FREE_METHODS.has(method.toUpperCase());
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Who a request comes from, for the fair queue and the logs: `key:<name>`
 * when keys are configured (the name, never the key), otherwise
 * `ip:<address>`. The address is the connection's, or, behind
 * TRUST_PROXY_HOPS proxies, the X-Forwarded-For entry that many hops back:
 * entries further left were written by the client and could name anyone.
 * IPv6 clients are grouped by /64, the block one subscriber gets, so
 * rotating through one's own addresses does not buy more turns.
 */
export class ClientIdentity {
  private readonly keys: { name: string; digest: Buffer }[];

  constructor(private readonly opts: IdentityOptions) {
    this.keys = opts.keys.map((k) => ({ name: k.name, digest: digest(k.key) }));
  }

  get keysRequired() {
    return this.keys.length > 0;
  }

  /**
   * The name of the key the request carries (`Authorization: Bearer …` or
   * `X-API-Key`); throws 401 when keys are configured and none matches.
   * Every key is compared, in constant time on digests, so neither which key
   * nor how much of one matched shows in the timing.
   */
  authenticate(headers: Headers): string | undefined {
    if (!this.keys.length) return undefined;
    const given = headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1] ?? headers.get("x-api-key") ?? "";
    const mine = digest(given);
    let name: string | undefined;
    for (const k of this.keys) if (timingSafeEqual(mine, k.digest) && given) name ??= k.name;
    if (name === undefined) throw rejectRequest.unauthorized();
    return name;
  }

  /** The client a request counts against (authenticates first when keys are configured). */
  clientOf(request: Request, server: PeerSource | null | undefined): string {
    const name = this.authenticate(request.headers);
    if (name !== undefined) return `key:${name}`;
    return `ip:${this.addressOf(request, server)}`;
  }

  private addressOf(request: Request, server: PeerSource | null | undefined): string {
    const peer = normalize(server?.requestIP(request)?.address ?? "");
    const hops = this.opts.trustProxyHops;
    if (hops > 0) {
      const entries = (request.headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      // Each trusted proxy appended the address it saw: the client is `hops` entries from the right.
      const chosen = normalize(entries[Math.max(0, entries.length - hops)] ?? "");
      if (chosen) return chosen;
    }
    return peer || "unknown";
  }
}

/** An address as one client key: IPv4-mapped IPv6 as IPv4, IPv6 by its /64; anything not an address is dropped. */
export function normalize(raw: string): string {
  const text = raw.replace(/^\[|\](:\d+)?$/g, "").replace(/%.*$/, "");
  const mapped = text.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  if (mapped) return mapped;
  const kind = isIP(text);
  if (kind === 4) return text;
  if (kind !== 6) return "";
  return `${expandV6(text).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, in lower-case hex without leading zeros. */
function expandV6(address: string): string[] {
  const [head, tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = address.includes("::") && tail ? tail.split(":") : [];
  const fill = address.includes("::") ? Array(8 - left.length - right.length).fill("0") : [];
  return [...left, ...fill, ...right].map((g) => (g.includes(".") ? g : Number.parseInt(g || "0", 16).toString(16)));
}
