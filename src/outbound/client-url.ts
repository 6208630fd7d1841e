/**
 * A URL a client gives the service to reach on its behalf (a webhook, an
 * image): absolute, http or https, with no credentials in it. Its host's
 * addresses are checked apart (resolve-host.ts), and again on the connection.
 */
export function clientUrl(text: string): URL | { refused: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { refused: "it is not an absolute URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { refused: "only http and https URLs are allowed" };
  if (url.username || url.password) return { refused: "it carries credentials" };
  return url;
}
