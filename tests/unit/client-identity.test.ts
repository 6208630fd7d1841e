import { describe, expect, test } from "bun:test";
import { ClientIdentity, normalize, type PeerSource } from "../../src/http/client-identity";

const peer = (address: string): PeerSource => ({ requestIP: () => ({ address }) });
const req = (headers: Record<string, string> = {}) => new Request("http://x/predict", { method: "POST", headers });

describe("ClientIdentity", () => {
  test("without keys or trusted proxies, the connection's address is the client; X-Forwarded-For is ignored", () => {
    const id = new ClientIdentity({ keys: [], trustProxyHops: 0 });
    expect(id.clientOf(req({ "x-forwarded-for": "6.6.6.6" }), peer("127.0.0.2"))).toBe("ip:127.0.0.2");
    expect(id.clientOf(req(), peer("::ffff:127.0.0.3"))).toBe("ip:127.0.0.3");
    expect(id.clientOf(req(), undefined)).toBe("ip:unknown");
  });

  test("behind N proxies, the client is the X-Forwarded-For entry N hops from the right", () => {
    const one = new ClientIdentity({ keys: [], trustProxyHops: 1 });
    // the client wrote "6.6.6.6" itself; the proxy appended the address it saw
    expect(one.clientOf(req({ "x-forwarded-for": "6.6.6.6, 203.0.113.9" }), peer("10.0.0.1"))).toBe("ip:203.0.113.9");
    expect(one.clientOf(req(), peer("10.0.0.1"))).toBe("ip:10.0.0.1"); // no header: the connection
    expect(one.clientOf(req({ "x-forwarded-for": "not-an-address" }), peer("10.0.0.1"))).toBe("ip:10.0.0.1");
    const two = new ClientIdentity({ keys: [], trustProxyHops: 2 });
    expect(two.clientOf(req({ "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.5" }), peer("10.0.0.1"))).toBe("ip:198.51.100.7");
    expect(two.clientOf(req({ "x-forwarded-for": "198.51.100.7" }), peer("10.0.0.1"))).toBe("ip:198.51.100.7"); // fewer entries: the leftmost
  });

  test("IPv6 clients are grouped by /64", () => {
    expect(normalize("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(normalize("[2001:DB8:1:2:bbbb::9]:443")).toBe("2001:db8:1:2::/64");
    expect(normalize("::1")).toBe("0:0:0:0::/64");
    expect(normalize("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(normalize("garbage")).toBe("");
  });

  test("with keys, the key's name is the client and a missing or wrong key is refused", () => {
    const id = new ClientIdentity({ keys: [{ name: "default", key: "k0" }, { name: "alice", key: "k-alice" }], trustProxyHops: 0 });
    expect(id.clientOf(req({ authorization: "Bearer k-alice" }), peer("127.0.0.2"))).toBe("key:alice");
    expect(id.clientOf(req({ "x-api-key": "k0" }), peer("127.0.0.2"))).toBe("key:default");
    for (const headers of <Record<string, string>[]>[{}, { authorization: "Bearer nope" }, { "x-api-key": "" }, { authorization: "Basic k0" }]) {
      expect(() => id.clientOf(req(headers), peer("127.0.0.2"))).toThrow(expect.objectContaining({ code: "unauthorized" }));
    }
  });
});
