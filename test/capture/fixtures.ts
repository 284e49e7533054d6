/** Byte builders for hand-made capture files: malformed inputs, and re-encodings of real packets. */

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function u32(value: number, le = true): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, le);
  return b;
}

export function u16(value: number, le = true): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, value, le);
  return b;
}

function pad4(bytes: Uint8Array): Uint8Array {
  const padded = new Uint8Array((bytes.length + 3) & ~3);
  padded.set(bytes);
  return padded;
}

export interface PcapHeaderOptions {
  le?: boolean;
  nano?: boolean;
  snaplen?: number;
  linkType?: number;
}

export function pcapHeader({ le = true, nano = false, snaplen = 65535, linkType = 1 }: PcapHeaderOptions = {}): Uint8Array {
  return concat(u32(nano ? 0xa1b23c4d : 0xa1b2c3d4, le), u16(2, le), u16(4, le), u32(0, le), u32(0, le), u32(snaplen, le), u32(linkType, le));
}

export function pcapRecord(data: Uint8Array, { le = true, tsSec = 1_700_000_000, tsFrac = 0, origLen = data.length, capLen = data.length } = {}): Uint8Array {
  return concat(u32(tsSec, le), u32(tsFrac, le), u32(capLen, le), u32(origLen, le), data);
}

/** pcapng block builder for one byte order. */
export class PcapngBuilder {
  constructor(readonly le = true) {}

  block(type: number, body: Uint8Array, { length, trailing }: { length?: number; trailing?: number } = {}): Uint8Array {
    const padded = pad4(body);
    const total = 12 + padded.length;
    return concat(u32(type, this.le), u32(length ?? total, this.le), padded, u32(trailing ?? length ?? total, this.le));
  }

  option(code: number, value: Uint8Array): Uint8Array {
    return concat(u16(code, this.le), u16(value.length, this.le), pad4(value));
  }

  shb(): Uint8Array {
    const body = concat(u32(0x1a2b3c4d, this.le), u16(1, this.le), u16(0, this.le), u32(0xffffffff, this.le), u32(0xffffffff, this.le));
    return this.block(0x0a0d0d0a, body);
  }

  idb(linkType: number, { snaplen = 0, options = [] as Uint8Array[] } = {}): Uint8Array {
    const opts = options.length ? concat(...options, u32(0)) : new Uint8Array(0);
    return this.block(1, concat(u16(linkType, this.le), u16(0, this.le), u32(snaplen, this.le), opts));
  }

  tsresol(value: number): Uint8Array {
    return this.option(9, Uint8Array.of(value));
  }

  tsoffset(seconds: bigint): Uint8Array {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, seconds, this.le);
    return this.option(14, b);
  }

  epb(interfaceId: number, units: bigint, data: Uint8Array, { origLen = data.length, capLen = data.length } = {}): Uint8Array {
    const le = this.le;
    return this.block(6, concat(u32(interfaceId, le), u32(Number(units >> 32n), le), u32(Number(units & 0xffffffffn), le), u32(capLen, le), u32(origLen, le), pad4(data)));
  }

  pb(interfaceId: number, units: bigint, data: Uint8Array, { origLen = data.length } = {}): Uint8Array {
    const le = this.le;
    return this.block(
      2,
      concat(u16(interfaceId, le), u16(0, le), u32(Number(units >> 32n), le), u32(Number(units & 0xffffffffn), le), u32(data.length, le), u32(origLen, le), pad4(data)),
    );
  }

  spb(data: Uint8Array, origLen = data.length): Uint8Array {
    return this.block(3, concat(u32(origLen, this.le), pad4(data)));
  }

  dsb(secretsType: number, data: Uint8Array, declaredLength = data.length): Uint8Array {
    return this.block(0x0a, concat(u32(secretsType, this.le), u32(declaredLength, this.le), pad4(data)));
  }
}
