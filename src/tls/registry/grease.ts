/**
 * GREASE (RFC 8701): reserved values of the form 0x?A?A, sent to keep peers tolerant of unknown values.
 * The 16-bit code points are 0x0A0A, 0x1A1A, … 0xFAFA; both bytes equal and low nibble 0xA.
 */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

/** GREASE for one-byte code points (psk_key_exchange_modes, RFC 8701 §2): 0x0B, 0x2A, 0x49, … 0xFE. */
export function isGreaseByte(value: number): boolean {
  return value >= 0x0b && value <= 0xfe && (value - 0x0b) % 0x1f === 0;
}
