import { refuseUpload } from "../domain/errors";
import { checkedAddresses, type Resolver } from "../outbound/resolve-host";
import { clientUrl } from "../outbound/client-url";

/** Longest webhook URL taken; longer ones are refused by the schema. */
export const WEBHOOK_URL_MAX = 2048;

/**
 * Checks a webhook URL at upload: http or https, no credentials in it, and a
 * host whose every address is public (unless `allowPrivate`). The check is
 * made again at each delivery against the address actually connected to,
 * since DNS may answer differently by then (rebinding).
 */
export async function checkWebhookUrl(text: string, allowPrivate: boolean, resolve: Resolver): Promise<URL> {
  const url = clientUrl(text);
  if ("refused" in url) throw refuseUpload.webhookForbidden(url.refused);
  const checked = await checkedAddresses(url.hostname, allowPrivate, resolve);
  if ("refused" in checked) throw refuseUpload.webhookForbidden(checked.refused);
  return url;
}
