/** IPv4 CIDR arithmetic for the network rules of the configuration schema. */

export interface Cidr {
  /** First address of the block as an unsigned 32-bit number. */
  readonly first: number;
  /** Last address of the block. */
  readonly last: number;
  /** Prefix length, 0 to 32. */
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined when it is not a valid IPv4 network address. */
export function parseCidr(text: string): Cidr | undefined {
  const match = CIDR.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  // Host bits must be zero: 10.0.1.5/24 is almost always a typo for 10.0.1.0/24.
  if (address % size !== 0) return undefined;
  return { first: address, last: address + size - 1, prefix };
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}
