import { describe, expect, test } from "bun:test";
import { nextAttemptAt, RETRY_DELAYS_MS } from "../../src/domain/webhook";
import { webhookOf } from "../../src/http/webhook-field";
import { classifyAddress, refusalOf } from "../../src/outbound/address-policy";
import { sendWebhook } from "../../src/webhook/send-webhook";
import { checkWebhookUrl } from "../../src/webhook/webhook-url";

// Pure checks: nothing here resolves a name through DNS or sends a packet,
// except to the loopback receiver at the end (127.0.0.1).
const noDns = async (host: string): Promise<string[]> => {
  throw new Error(`no DNS in unit tests (${host})`);
};
/** A resolver that answers from a table: it stands for a DNS that could be rebinding. */
const table = (answers: Record<string, string[]>) => async (host: string) => answers[host] ?? [];

describe("classifyAddress", () => {
  test.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.1.1", "linkLocal"],
    ["169.254.169.254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["100.64.0.1", "carrierGradeNat"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "linkLocal"],
    ["fe80::1%eth0", "linkLocal"],
    ["fc00::1", "uniqueLocal"],
    ["fd12:3456::1", "uniqueLocal"],
    ["fd00:ec2::254", "metadata"],
    ["ff02::1", "multicast"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
    expect(refusalOf(address, false)).toContain("only public addresses");
    expect(refusalOf(address, true)).toBeUndefined();
  });

  test.each(["93.184.215.14", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:1.1.1.1"])("%s is public", (address) => {
    expect(classifyAddress(address)).toBe("public");
    expect(refusalOf(address, false)).toBeUndefined();
  });

  test("text that is no address is never allowed", () => {
    expect(classifyAddress("example.com")).toBe("invalid");
    expect(refusalOf("example.com", true)).toContain("not an IP address");
  });
});

describe("checkWebhookUrl", () => {
  const refused = async (url: string, resolve = noDns) => {
    const err = await checkWebhookUrl(url, false, resolve).then(() => undefined, (e) => e);
    expect(err?.code).toBe("webhook_url_forbidden");
    return err.message as string;
  };

  test("only http and https, without credentials", async () => {
    expect(await refused("file:///etc/passwd")).toContain("only http and https");
    expect(await refused("gopher://x/")).toContain("only http and https");
    expect(await refused("not a url")).toContain("not an absolute URL");
    expect(await refused("https://user:pw@93.184.215.14/")).toContain("credentials");
  });

  test("IP literals are judged without any lookup", async () => {
    expect(await refused("http://127.0.0.1:8080/hook")).toContain("loopback");
    expect(await refused("http://[::1]/hook")).toContain("loopback");
    expect(await refused("http://169.254.169.254/latest/meta-data/")).toContain("metadata");
    expect(await refused("http://[fd00:ec2::254]/")).toContain("metadata");
    expect((await checkWebhookUrl("https://93.184.215.14/hook", false, noDns)).href).toBe("https://93.184.215.14/hook");
  });

  test("a name is refused when any of its addresses is not public, or when it does not resolve", async () => {
    expect(await refused("https://hooks.test/x", table({ "hooks.test": ["93.184.215.14", "10.0.0.5"] }))).toContain("private");
    expect(await refused("https://nowhere.test/x", table({}))).toContain("does not resolve");
    const ok = await checkWebhookUrl("https://hooks.test/x", false, table({ "hooks.test": ["93.184.215.14"] }));
    expect(ok.hostname).toBe("hooks.test");
  });

  test("WEBHOOK_ALLOW_PRIVATE lets private addresses through, never other schemes", async () => {
    expect((await checkWebhookUrl("http://127.0.0.1:9/x", true, noDns)).port).toBe("9");
    await expect(checkWebhookUrl("file:///x", true, noDns)).rejects.toMatchObject({ code: "webhook_url_forbidden" });
  });

  test("without WEBHOOK_SECRET a webhook is refused; the filter defaults to completed", async () => {
    await expect(webhookOf("https://93.184.215.14/", undefined, { allowPrivate: false, resolve: noDns })).rejects.toMatchObject({ code: "webhooks_disabled" });
    const policy = { secret: "whsec_x", allowPrivate: false, resolve: noDns };
    expect(await webhookOf("https://93.184.215.14/", undefined, policy)).toEqual({ url: "https://93.184.215.14/", events: ["completed"] });
    expect((await webhookOf("https://93.184.215.14/", ["completed", "start"], policy))!.events).toEqual(["start", "completed"]);
    expect(await webhookOf(undefined, "start", policy)).toBeUndefined();
  });
});

describe("the retry schedule", () => {
  test("5 s, 30 s, 2 min, 10 min, 30 min, each stretched by at most 10 %, then none", () => {
    expect(RETRY_DELAYS_MS).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000]);
    for (const [i, delay] of RETRY_DELAYS_MS.entries()) {
      expect(nextAttemptAt(i + 1, 0, () => 0)).toBe(delay);
      expect(nextAttemptAt(i + 1, 0, () => 0.999999)).toBe(Math.round(delay * 1.1));
    }
    expect(nextAttemptAt(RETRY_DELAYS_MS.length + 1, 0)).toBeUndefined();
  });
});

describe("sendWebhook checks the address it connects to", () => {
  test("a name resolving to loopback is refused before connecting, and a loopback literal once connected, before any byte is sent", async () => {
    const seen: string[] = [];
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => (seen.push(req.url), new Response("ok")) });
    try {
      const rebinding = table({ "hooks.test": ["127.0.0.1"] });
      const viaName = await sendWebhook(new URL(`http://hooks.test:${server.port}/x`), "{}", {}, { allowPrivate: false, resolve: rebinding });
      expect(viaName).toEqual({ error: expect.stringContaining("loopback") });
      const literal = await sendWebhook(new URL(`http://127.0.0.1:${server.port}/x`), "{}", {}, { allowPrivate: false, resolve: noDns });
      expect(literal).toEqual({ error: expect.stringContaining("loopback") });
      expect(seen).toEqual([]);
      // Allowed, the same receiver answers: the refusals above were the address rule.
      expect(await sendWebhook(new URL(`http://hooks.test:${server.port}/x`), "{}", {}, { allowPrivate: true, resolve: rebinding })).toEqual({ status: 200 });
      expect(seen).toHaveLength(1);
    } finally {
      server.stop(true);
    }
  });

  test("a redirect is not followed, and a receiver that never answers times out", async () => {
    const hung: (() => void)[] = [];
    const server = Bun.serve({
      hostname: "127.0.0.1", port: 0,
      fetch: (req) => (new URL(req.url).pathname === "/hang" ? new Promise<Response>((r) => hung.push(() => r(new Response("late")))) : Response.redirect("http://127.0.0.1:1/elsewhere", 302)),
    });
    try {
      const opts = { allowPrivate: true, resolve: noDns, timeoutMs: 200 };
      expect(await sendWebhook(new URL(`http://127.0.0.1:${server.port}/r`), "{}", {}, opts)).toEqual({ status: 302 });
      expect(await sendWebhook(new URL(`http://127.0.0.1:${server.port}/hang`), "{}", {}, opts)).toEqual({ error: "no answer within 200 ms" });
    } finally {
      for (const release of hung) release();
      server.stop(true);
    }
  });
});
