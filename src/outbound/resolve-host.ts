import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { type PrivateAllowance, refusalOf } from "./address-policy";

/** Resolves a host name to its addresses; injectable so tests never query DNS. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * The addresses a host stands for, each checked: an IP literal is itself, a
 * name is resolved. Every address must be allowed, not just one, or a name
 * with one public and one private record would let the second through.
 * Resolves to the allowed addresses, or to the reason they are not.
 */
export async function checkedAddresses(host: string, allowPrivate: PrivateAllowance, resolve: Resolver): Promise<{ addresses: string[] } | { refused: string }> {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  let addresses: string[];
  if (ipaddr.isValid(bare)) addresses = [bare];
  else {
    try {
      addresses = await resolve(bare);
    } catch {
      return { refused: "its host name does not resolve" };
    }
  }
  if (addresses.length === 0) return { refused: "its host name does not resolve" };
  for (const address of addresses) {
    const why = refusalOf(address, allowPrivate);
    if (why) return { refused: why };
  }
  return { addresses };
}
