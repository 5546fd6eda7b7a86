/** Hex digits as certvigil writes fingerprints: upper case, a colon between bytes (`AB:CD:…`). */
export function colonHex(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}
