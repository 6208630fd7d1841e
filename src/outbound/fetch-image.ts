import type { IncomingMessage } from "node:http";
import { refuseImageUrl } from "../domain/errors";
import { type AddressRule, pinnedRequest } from "./pinned-request";
import { clientUrl } from "./client-url";

export interface ImageFetchLimits extends AddressRule {
  /** most bytes read; past it the read stops and the image is refused */
  maxBytes: number;
  /** the whole image must have arrived within this (connecting within the smaller of it and CONNECT_MS) */
  timeoutMs: number;
  /** each chunk's size as it arrives; throws to stop (the in-flight budget) */
  onChunk?: (bytes: number) => void;
}

/** Hops followed: each one's host checked and its connection pinned, as the first's. */
export const MAX_REDIRECTS = 3;
const CONNECT_MS = 5000;

/** The URL's host only, for messages: its path and query may carry a client's secrets. */
const hostOf = (url: URL) => url.host;

/** A `url` field as it arrives: http(s) only, no credentials in it (client-url.ts, the webhooks' rule too). */
export function parseImageUrl(text: string): URL {
  const url = clientUrl(text);
  if ("refused" in url) throw refuseImageUrl.forbidden(url.refused);
  return url;
}

/**
 * Fetches an image the client named by URL, under the same address rule as
 * webhooks (every resolved address allowed, the connected one checked again,
 * on every hop), within `maxBytes` (checked from Content-Length, then while
 * reading) and `timeoutMs`. It never blocks the event loop: the request waits
 * for it as it would for a slow upload body. Each failure is a 422 with its
 * own code (refuseImageUrl).
 */
export async function fetchImage(first: URL, limits: ImageFetchLimits): Promise<Uint8Array> {
  const deadline = performance.now() + limits.timeoutMs;
  let url = first;
  for (let hop = 0; ; hop++) {
    const res = await connect(url, limits, deadline);
    const status = res.statusCode ?? 0;
    // Any other answer's body is not read: the connection is closed at once (its server could send forever).
    if (status < 200 || status >= 300) res.destroy();
    if (status >= 300 && status < 400 && res.headers.location) {
      if (hop === MAX_REDIRECTS) throw refuseImageUrl.unreachable(`more than ${MAX_REDIRECTS} redirects`);
      url = parseImageUrl(nextHop(res.headers.location, url));
      continue;
    }
    if (status < 200 || status >= 300) throw refuseImageUrl.unreachable(`${hostOf(url)} answered HTTP ${status}`);
    return readLimited(res, limits, deadline);
  }
}

/** Where a redirect sends the next hop; a Location that is no URL at all is the server's fault, said as such. */
function nextHop(location: string, from: URL): string {
  try {
    return new URL(location, from).toString();
  } catch {
    throw refuseImageUrl.unreachable(`${hostOf(from)} redirected to an invalid address`);
  }
}

/** One hop: a pinned GET, resolved with its response head. */
function connect(url: URL, limits: ImageFetchLimits, deadline: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const fail = (err: Error) => {
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      req.destroy();
      reject(err);
    };
    const req = pinnedRequest(url, { method: "GET", headers: { accept: "image/*", "user-agent": "yolo-detect-fetch" } }, limits, {
      checked: (r) => {
        connected = true;
        clearTimeout(connectTimer);
        r.end();
      },
      refused: (why) => fail(refuseImageUrl.forbidden(why)),
      failed: (code) => fail(refuseImageUrl.unreachable(`${hostOf(url)} could not be reached (${code})`)),
    });
    const left = Math.max(0, deadline - performance.now());
    const connectTimer = setTimeout(() => !connected && fail(refuseImageUrl.unreachable(`${hostOf(url)} did not accept a connection within ${Math.min(CONNECT_MS, left)} ms`)), Math.min(CONNECT_MS, left));
    const totalTimer = setTimeout(() => fail(refuseImageUrl.timedOut(limits.timeoutMs)), left);
    req.on("response", (res) => {
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      resolve(res);
    });
  });
}

/** The body, up to maxBytes and the deadline; a declared length past the limit is refused before reading. */
function readLimited(res: IncomingMessage, limits: ImageFetchLimits, deadline: number): Promise<Uint8Array> {
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    res.destroy();
    return Promise.reject(refuseImageUrl.tooLarge(limits.maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      res.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(refuseImageUrl.timedOut(limits.timeoutMs)), Math.max(0, deadline - performance.now()));
    res.on("data", (chunk: Buffer) => {
      if (done) return;
      total += chunk.byteLength;
      if (total > limits.maxBytes) return fail(refuseImageUrl.tooLarge(limits.maxBytes));
      try {
        limits.onChunk?.(chunk.byteLength);
      } catch (err) {
        return fail(err as Error);
      }
      chunks.push(chunk);
    });
    res.on("error", () => fail(refuseImageUrl.unreachable("the connection broke while the image was read")));
    res.on("end", () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(new Uint8Array(Buffer.concat(chunks, total)));
    });
  });
}
