import { timingSafeEqual } from "node:crypto";
import { rejectRequest } from "../domain/errors";

/**
 * When API_KEY is set, writes (uploads, cancels) need it as
 * `Authorization: Bearer …` or `X-API-Key`; reads by task id stay open, as
 * the id itself is an unguessable UUID.
 */
export function apiKeyGuard(apiKey: string | undefined) {
  const expected = apiKey ? Buffer.from(apiKey) : undefined;
  return ({ headers }: { headers: Record<string, string | undefined> }) => {
    if (!expected) return;
    const bearer = headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const given = Buffer.from(bearer ?? headers["x-api-key"] ?? "");
    // Compared in constant time so the key cannot be guessed byte by byte.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw rejectRequest.unauthorized();
    }
  };
}
