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
  return cidrProblem(text) === undefined ? toCidr(CIDR.exec(text) as RegExpExecArray) : undefined;
}

/** What is wrong with `text` as an IPv4 network in CIDR notation, or undefined when nothing is. */
export function cidrProblem(text: string): string | undefined {
  const match = CIDR.exec(text);
  if (!match) return "must be an IPv4 block in CIDR notation, e.g. 10.0.0.0/16";
  // 010.0.0.0/16 reads as octal to some tools and as decimal to others; AWS refuses it.
  if (match.slice(1, 6).some((part) => part.length > 1 && part.startsWith("0"))) {
    return "must not have leading zeros in an octet or the prefix length";
  }
  if (match.slice(1, 5).some((o) => Number(o) > 255)) return "has an octet above 255";
  if (Number(match[5]) > 32) return "has a prefix length above 32";
  const block = toCidr(match);
  // Host bits must be zero: 10.0.1.5/24 is almost always a typo for 10.0.1.0/24.
  const network = block.first - (block.first % 2 ** (32 - block.prefix));
  if (network !== block.first) return `has host bits set: the network is ${formatAddress(network)}/${block.prefix}`;
  return undefined;
}

function toCidr(match: RegExpExecArray): Cidr {
  const address = match.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  const prefix = Number(match[5]);
  return { first: address, last: address + 2 ** (32 - prefix) - 1, prefix };
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}
