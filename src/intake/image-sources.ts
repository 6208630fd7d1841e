import { rejectRequest, rejectUpload, tooManyImages } from "../domain/errors";

/**
 * Where a request's images come from, in the order given: multipart files
 * (`file`, repeated for several), base64 text (JSON `image`: a string or a
 * list; a data: URL too) and URLs (`url`, as a form field, query parameter or
 * JSON field; repeated or a list). One request may mix them.
 */
export type ImageSource = { kind: "file"; file: Blob } | { kind: "base64"; text: string } | { kind: "url"; url: string };

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The request's sources, checked for kind and count: none is `missing_file`, more than `max` is `too_many_images`. */
export function imageSourcesOf(fields: { file?: unknown; image?: unknown; url?: unknown }, max: number): ImageSource[] {
  const sources: ImageSource[] = [];
  for (const file of list(fields.file)) {
    if (!(file instanceof Blob)) throw rejectRequest.invalidFields([{ field: "file", message: "must be a file part" }]);
    sources.push({ kind: "file", file });
  }
  for (const text of list(fields.image)) {
    if (typeof text !== "string") throw rejectRequest.invalidFields([{ field: "image", message: "must be base64 text or a data: URL" }]);
    sources.push({ kind: "base64", text });
  }
  for (const url of list(fields.url)) {
    if (typeof url !== "string") throw rejectRequest.invalidFields([{ field: "url", message: "must be an http(s) URL" }]);
    // An empty field means none, as an HTML form (or Swagger UI) sends one left blank.
    if (url.trim()) sources.push({ kind: "url", url: url.trim() });
  }
  if (sources.length === 0) throw rejectRequest.missingFile();
  if (sources.length > max) throw tooManyImages(sources.length, max);
  // An empty part is refused as an empty upload is, before anything is read.
  if (sources.some((s) => s.kind === "file" && s.file.size === 0)) throw rejectUpload.empty();
  return sources;
}
