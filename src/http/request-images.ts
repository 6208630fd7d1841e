import { refuse, refuseImageUrl, rejectUpload } from "../domain/errors";
import { decodeBase64Image } from "../intake/base64-image";
import type { ImageSource } from "../intake/image-sources";
import { fetchImage, parseImageUrl } from "../outbound/fetch-image";
import type { PrivateAllowance } from "../outbound/address-policy";
import type { Resolver } from "../outbound/resolve-host";
import { detectedType } from "../vision/sniff";
import type { Lease } from "./inflight-budget";

/** How images given by URL are fetched: the address rule and IMAGE_URL_TIMEOUT_MS. */
export interface ImageUrlPolicy {
  allowPrivate: PrivateAllowance;
  resolve: Resolver;
  timeoutMs: number;
}

/**
 * Each image as far as it can be had without going out: the bytes of a file
 * or a base64 image (over MAX_UPLOAD_BYTES: 413), a URL as its text. This is
 * what the Idempotency-Key fingerprint covers: a URL is fetched only for a
 * request answered for the first time.
 */
export async function readSources(sources: readonly ImageSource[], maxBytes: number): Promise<(Uint8Array | string)[]> {
  return Promise.all(sources.map((s) => (s.kind === "url" ? s.url : bytesOf(s, maxBytes))));
}

async function bytesOf(source: Exclude<ImageSource, { kind: "url" }>, maxBytes: number): Promise<Uint8Array> {
  if (source.kind === "base64") return decodeBase64Image(source.text, maxBytes);
  if (source.file.size > maxBytes) throw rejectUpload.tooLarge(source.file.size, maxBytes);
  return new Uint8Array(await source.file.arrayBuffer());
}

/**
 * The request's images as bytes, in order: the parts already read, and each
 * URL (the text readSources left) fetched under the address rule,
 * MAX_UPLOAD_BYTES and IMAGE_URL_TIMEOUT_MS, all at once, their bytes counted
 * against the request's in-flight lease as they arrive. What a URL serves
 * must look like an accepted image (422 image_url_not_image); uploaded bytes
 * are judged by the intake (415).
 */
export function imagesOf(read: readonly (Uint8Array | string)[], maxBytes: number, policy: ImageUrlPolicy, lease: Lease): Promise<Uint8Array[]> {
  const onChunk = (n: number) => {
    if (!lease.grow(n)) throw refuse.inflightFull();
  };
  return Promise.all(
    read.map(async (part) => {
      if (typeof part !== "string") return part;
      const bytes = await fetchImage(parseImageUrl(part), { ...policy, maxBytes, onChunk });
      const seen = await detectedType(bytes);
      if (!seen.accepted) throw refuseImageUrl.notAnImage(seen.name);
      return bytes;
    }),
  );
}
