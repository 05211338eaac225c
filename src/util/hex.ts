/** Formatting helpers for the hex notation used in logs, outcomes and violation messages. Pure. */

export const U64_MAX = (1n << 64n) - 1n;

/** Formats a bigint or number as `0x…` lower-case hex. */
export function hex(value: bigint | number): string {
  return '0x' + value.toString(16);
}

/** Formats bytes as a plain lower-case hex string (no prefix), the log's byte-payload notation. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_BYTE[bytes[i]];
  return out;
}

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Parses a plain or `0x`-prefixed even-length hex string; returns undefined when it is not one. */
export function hexToBytes(text: string): Uint8Array | undefined {
  const body = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) return undefined;
  const out = new Uint8Array(body.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(body.substr(i * 2, 2), 16);
  return out;
}
