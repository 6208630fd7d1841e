import ipaddr from "ipaddr.js";

/**
 * Which addresses the service may reach on a client's behalf (a webhook, an
 * image URL). ipaddr.js knows the special-purpose
 * ranges (RFC 6890 and its IPv6 counterparts); an address is public only when
 * it falls in none of them ("unicast"). Anything else (loopback, private,
 * link-local, unique-local, multicast, CGNAT, documentation, 6to4, …) is
 * refused, so neither can be aimed at the service's own network.
 */

/** Cloud metadata endpoints, named apart so the refusal says what was hit; their ranges are refused anyway. */
const METADATA = new Set(["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "fd00:ec2::23"]);

/** `public`, or the name of the range that makes an address forbidden; `invalid` for text that is no address. */
export function classifyAddress(text: string): string {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  // A zone id (fe80::1%eth0) names an interface: link-local by definition.
  if (bare.includes("%")) return "linkLocal";
  if (!ipaddr.isValid(bare)) return "invalid";
  let addr = ipaddr.parse(bare);
  // ::ffff:10.0.0.1 reaches 10.0.0.1: judge the IPv4 address inside.
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  const normal = addr.toString();
  if (METADATA.has(normal)) return "metadata";
  const range = addr.range();
  return range === "unicast" ? "public" : range;
}

/**
 * Which non-public addresses may be reached anyway: all (WEBHOOK_ALLOW_PRIVATE,
 * IMAGE_URL_ALLOW_PRIVATE), none, or those a predicate names (tests: one
 * loopback address stands for the public side, another for a private one).
 */
export type PrivateAllowance = boolean | ((address: string) => boolean);

/** Why an address is refused, in words for a 422 or a delivery error; undefined when it is allowed. */
export function refusalOf(address: string, allowPrivate: PrivateAllowance): string | undefined {
  const kind = classifyAddress(address);
  if (kind === "invalid") return `${address} is not an IP address`;
  if (kind === "public" || (typeof allowPrivate === "function" ? allowPrivate(address) : allowPrivate)) return undefined;
  return `it resolves to a ${kind} address (only public addresses are allowed)`;
}
