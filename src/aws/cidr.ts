import { isIPv6 } from "node:net";

/**
 * IPv4 CIDR arithmetic: the project's one CIDR helper. Used by the
 * constructs to check the CIDRs they are given (inside the VPC? overlapping?)
 * and to lay out subnets from the VPC CIDR when none are given, and by the
 * settings validation through them.
 */

/** A parsed IPv4 block. `base` is the network address as an unsigned 32-bit number. */
export interface Ipv4Block {
  readonly base: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Why `text` is not a usable IPv4 network CIDR, or undefined when it is.
 * Host bits must be zero: AWS rejects `10.0.0.1/24` for a VPC or subnet.
 */
export function cidrProblem(text: string): string | undefined {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return `"${text}" is not an IPv4 CIDR block like 10.0.0.0/16`;
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((octet) => octet > 255)) return `"${text}" has an octet above 255`;
  if (prefixLength > 32) return `"${text}" has a prefix length above 32`;
  const address = toNumber(octets);
  const block = { base: address, prefixLength };
  if (networkAddress(block) !== address) {
    return `"${text}" has host bits set; the network address is ${format({ base: networkAddress(block), prefixLength })}`;
  }
  return undefined;
}

/** Parses a CIDR that `cidrProblem` accepted. Throws on anything else. */
export function parseCidr(text: string): Ipv4Block {
  const problem = cidrProblem(text);
  if (problem) throw new Error(problem);
  const match = CIDR_PATTERN.exec(text)!;
  return { base: toNumber(match.slice(1, 5).map(Number)), prefixLength: Number(match[5]) };
}

/** The block as `a.b.c.d/n`. */
export function format(block: Ipv4Block): string {
  const b = block.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${block.prefixLength}`;
}

/** Number of addresses in the block. */
export function size(block: Ipv4Block): number {
  return 2 ** (32 - block.prefixLength);
}

/** True when `inner` lies wholly inside `outer`. */
export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.prefixLength >= outer.prefixLength && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/**
 * Carves blocks of the given prefix lengths out of `parent`, in order, each at
 * the lowest free address (from `startAt` on) aligned to its own size. With the
 * lab's VPC 10.0.0.0/20 and lengths [24, 24, 23, 23] this yields exactly the
 * lab's subnets: 10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/23, 10.0.4.0/23.
 * Throws when the blocks do not fit.
 */
export function allocate(parent: Ipv4Block, prefixLengths: readonly number[], startAt = parent.base): Ipv4Block[] {
  const end = parent.base + size(parent);
  let next = startAt;
  return prefixLengths.map((prefixLength) => {
    if (prefixLength < parent.prefixLength || prefixLength > 32) {
      throw new Error(`a /${prefixLength} block cannot be carved out of ${format(parent)}`);
    }
    const blockSize = 2 ** (32 - prefixLength);
    const base = Math.ceil(next / blockSize) * blockSize;
    if (base + blockSize > end) {
      throw new Error(`${format(parent)} has no room left for a /${prefixLength} block`);
    }
    next = base + blockSize;
    return { base, prefixLength };
  });
}

function toNumber(octets: number[]): number {
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

function networkAddress(block: Ipv4Block): number {
  if (block.prefixLength === 0) return 0;
  const mask = (0xffffffff << (32 - block.prefixLength)) >>> 0;
  return (block.base & mask) >>> 0;
}

/**
 * Why `text` is not an IPv6 network CIDR (`::/0`, `2001:db8::/32`), or
 * undefined when it is. Host bits must be zero, as for IPv4.
 */
export function ipv6CidrProblem(text: string): string | undefined {
  const [address, prefix, ...rest] = text.split("/");
  if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix) || !isIPv6(address)) return `"${text}" is not an IPv6 CIDR block like 2001:db8::/32`;
  const prefixLength = Number(prefix);
  if (prefixLength > 128) return `"${text}" has a prefix length above 128`;
  const hostBits = BigInt(128 - prefixLength);
  if (hostBits > 0n && ipv6Number(address) % (1n << hostBits) !== 0n) return `"${text}" has host bits set`;
  return undefined;
}

/** An IPv6 address (without an embedded IPv4 part) as a 128-bit number. */
function ipv6Number(address: string): bigint {
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) + BigInt(parseInt(group || "0", 16)), 0n);
}
