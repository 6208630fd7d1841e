import { Elysia } from "elysia";

/** The request headers the API reads; a preflight that asks for none is told these. */
const ALLOWED_HEADERS = "Authorization, X-API-Key, Content-Type, Prefer, Last-Event-ID, Idempotency-Key";
const ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";
/** Browsers may cache a preflight this long (seconds). */
const MAX_AGE_S = "600";

/**
 * CORS for a public API. With `*` (the default), any page may call it, and
 * the answer is a plain `*`: no credentials, so a browser never attaches a
 * visitor's cookies, and the same answer for every origin stays cacheable.
 * With a list, only listed origins are echoed back, with `Vary: Origin` as
 * the answer then depends on it. API keys travel in headers, which needs no
 * credentials mode. A header is set only with a value: never "undefined".
 */
export function cors(origins: string[] | "*", exposeHeaders: string[]) {
  const listed = new Set(origins === "*" ? [] : origins);
  const exposed = exposeHeaders.join(", ");
  return new Elysia({ name: "cors" }).onRequest(({ request, set }) => {
    const origin = request.headers.get("origin");
    const allowed = origins === "*" ? "*" : origin && listed.has(origin) ? origin : undefined;
    if (origins !== "*") set.headers.vary = "Origin";
    if (allowed) {
      set.headers["Access-Control-Allow-Origin"] = allowed;
      set.headers["Access-Control-Expose-Headers"] = exposed;
    }
    const preflight = request.method === "OPTIONS" && request.headers.has("access-control-request-method");
    if (!preflight) return;
    const headers: Record<string, string> = { ...(set.headers as Record<string, string>) };
    if (allowed) {
      headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS;
      // The headers the page asks for (when it names any) are allowed: with no credentials they grant nothing more.
      const asked = request.headers.get("access-control-request-headers")?.replace(/[^\w\-, ]/g, "").trim();
      headers["Access-Control-Allow-Headers"] = asked || ALLOWED_HEADERS;
      headers["Access-Control-Max-Age"] = MAX_AGE_S;
    }
    return new Response(null, { status: 204, headers });
  });
}
