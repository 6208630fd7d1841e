import { refuseUpload } from "../domain/errors";
import { WEBHOOK_EVENTS, type WebhookEvent, type WebhookRequest } from "../domain/webhook";
import type { Resolver } from "../outbound/resolve-host";
import { checkWebhookUrl } from "../webhook/webhook-url";

export interface WebhookPolicy {
  /** WEBHOOK_SECRET; webhooks are refused without it */
  secret?: string;
  allowPrivate: boolean;
  resolve: Resolver;
}

/**
 * The upload's webhook, from its `webhook` and `webhook_events_filter` fields
 * (already checked against the schema), or undefined without one. The URL's
 * addresses are checked here, at upload, and again at each delivery.
 */
export async function webhookOf(url: string | undefined, filter: string | string[] | undefined, policy: WebhookPolicy): Promise<WebhookRequest | undefined> {
  if (url === undefined || url === "") return undefined;
  if (!policy.secret) throw refuseUpload.webhooksDisabled();
  const checked = await checkWebhookUrl(url, policy.allowPrivate, policy.resolve);
  const named = new Set((Array.isArray(filter) ? filter : [filter ?? "completed"]).flatMap((f) => f.split(",")));
  const events = WEBHOOK_EVENTS.filter((e) => named.has(e)) as WebhookEvent[];
  return { url: checked.href, events };
}
