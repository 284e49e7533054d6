/**
 * pcapng timestamps are 64-bit counts of interface-defined units (if_tsresol). Converting them to whole seconds
 * plus nanoseconds without BigInt: long division of the (high, low) pair in base 2^16 stays exact in doubles as
 * long as the units per second fit in 2^36. Larger resolutions (rare) fall back to BigInt.
 */
export interface TimestampUnit {
  /** Units per second: 10^n or 2^n. */
  unitsPerSecond: number;
  /** Multiply the remainder by this to get nanoseconds, when unitsPerSecond divides 1e9 (10^n, n <= 9). */
  nsPerUnit: number;
  /** Divide the remainder by this to get nanoseconds, when 1e9 divides unitsPerSecond (10^n, n > 9). */
  unitsPerNs: number;
  /** Resolution too fine for exact double arithmetic: use BigInt. */
  big: boolean;
  unitsPerSecondBig: bigint;
}

const TWO_POW_32 = 4294967296;
const LONG_DIVISION_LIMIT = 2 ** 36;

export function timestampUnit(tsresol: number): TimestampUnit {
  const powerOfTwo = (tsresol & 0x80) !== 0;
  const exponent = tsresol & 0x7f;
  const unitsPerSecondBig = powerOfTwo ? 1n << BigInt(exponent) : 10n ** BigInt(exponent);
  const unitsPerSecond = Number(unitsPerSecondBig);
  const decimal = !powerOfTwo;
  return {
    unitsPerSecond,
    nsPerUnit: decimal && exponent <= 9 ? 10 ** (9 - exponent) : 0,
    unitsPerNs: decimal && exponent > 9 && exponent <= 15 ? 10 ** (exponent - 9) : 0,
    big: unitsPerSecond > LONG_DIVISION_LIMIT || (!decimal && unitsPerSecond > 2 ** 23),
    unitsPerSecondBig,
  };
}

export const MICROSECONDS: TimestampUnit = timestampUnit(6);

export interface TimestampTarget {
  tsSec: number;
  tsNsec: number;
}

/** Sets target.tsSec/tsNsec from a 64-bit unit count (high, low: unsigned 32-bit halves) plus an offset in seconds. */
export function setTimestamp(target: TimestampTarget, unit: TimestampUnit, high: number, low: number, offsetSec: number): void {
  if (unit.big) {
    setTimestampBig(target, unit, high, low, offsetSec);
    return;
  }
  const d = unit.unitsPerSecond;
  const qHigh = Math.floor(high / d);
  let r = high - qHigh * d;
  let x = r * 65536 + (low >>> 16);
  const qMid = Math.floor(x / d);
  r = x - qMid * d;
  x = r * 65536 + (low & 0xffff);
  const qLow = Math.floor(x / d);
  r = x - qLow * d;
  target.tsSec = qHigh * TWO_POW_32 + qMid * 65536 + qLow + offsetSec;
  if (unit.nsPerUnit !== 0) target.tsNsec = r * unit.nsPerUnit;
  else if (unit.unitsPerNs !== 0) target.tsNsec = Math.floor(r / unit.unitsPerNs);
  else target.tsNsec = Math.floor((r * 1e9) / d);
}

function setTimestampBig(target: TimestampTarget, unit: TimestampUnit, high: number, low: number, offsetSec: number): void {
  const value = (BigInt(high) << 32n) | BigInt(low);
  const d = unit.unitsPerSecondBig;
  const sec = value / d;
  const rem = value - sec * d;
  target.tsSec = Number(sec) + offsetSec;
  target.tsNsec = Number((rem * 1_000_000_000n) / d);
}
