import { request } from "node:http";

export interface SourcedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** A multipart upload as curl sends it: the bytes and its Content-Type with the boundary. */
export async function multipart(bytes: Uint8Array, name = "image.jpg") {
  const form = new FormData();
  form.append("file", new File([bytes as Uint8Array<ArrayBuffer>], name, { type: "image/jpeg" }));
  const encoded = new Response(form);
  return { type: encoded.headers.get("content-type")!, body: new Uint8Array(await encoded.arrayBuffer()) };
}

/**
 * An HTTP request from a chosen local address: 127.0.0.2 and 127.0.0.3 are two
 * clients of a server on 127.0.0.1 (all of 127/8 is loopback). fetch cannot
 * pick its source address; node:http can (`localAddress`).
 */
export function requestFrom(
  url: string,
  opts: { method?: string; localAddress?: string; headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<SourcedResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", localAddress: opts.localAddress, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on("error", reject);
    req.end(opts.body ? Buffer.from(opts.body) : undefined);
  });
}

/** POST /predict from `localAddress` (and/or with extra headers, such as X-Forwarded-For). */
export async function uploadFrom(base: string, bytes: Uint8Array, opts: { localAddress?: string; headers?: Record<string, string>; name?: string; query?: string } = {}) {
  const { type, body } = await multipart(bytes, opts.name);
  return requestFrom(`${base}/predict${opts.query ? `?${opts.query}` : ""}`, {
    method: "POST",
    localAddress: opts.localAddress,
    headers: { "content-type": type, "content-length": String(body.byteLength), ...opts.headers },
    body,
  });
}
