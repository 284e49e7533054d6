// Byte-level mutations in the manner of libFuzzer's: flips, interesting values, chunk copies, splices.

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x16, 0x03, 0x14, 0x15, 0x17];
const INTERESTING_16 = [0, 1, 0x7fff, 0x8000, 0xffff, 0x4000, 0x4800, 0x0303, 0x0304];
const INTERESTING_32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x0a0d0d0a, 0xa1b2c3d4, 0x1a2b3c4d, 0x00ffffff];

export class Mutator {
  constructor(seed) {
    this.state = seed >>> 0 || 1;
  }

  /** xorshift32: deterministic for a given seed, so a run can be repeated. */
  next() {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x;
    return x;
  }

  below(n) {
    return n <= 0 ? 0 : this.next() % n;
  }

  /** One to eight stacked mutations of `input`; `other` is another corpus entry for splices. */
  mutate(input, other, maxLength) {
    let data = Uint8Array.from(input);
    const rounds = 1 + this.below(8);
    for (let i = 0; i < rounds; i++) data = this.once(data, other, maxLength);
    return data.length > maxLength ? data.subarray(0, maxLength) : data;
  }

  once(data, other, maxLength) {
    const n = data.length;
    switch (this.below(12)) {
      case 0: // flip a bit
        if (n > 0) data[this.below(n)] ^= 1 << this.below(8);
        return data;
      case 1: // random byte
        if (n > 0) data[this.below(n)] = this.below(256);
        return data;
      case 2: // interesting byte
        if (n > 0) data[this.below(n)] = INTERESTING_8[this.below(INTERESTING_8.length)];
        return data;
      case 3: // interesting 16-bit value, either byte order
        if (n >= 2) this.write(data, this.below(n - 1), INTERESTING_16[this.below(INTERESTING_16.length)], 2);
        return data;
      case 4: // interesting 32-bit value (lengths, magics)
        if (n >= 4) this.write(data, this.below(n - 3), INTERESTING_32[this.below(INTERESTING_32.length)], 4);
        return data;
      case 5: // add or subtract a little from a byte (lengths off by a few)
        if (n > 0) {
          const at = this.below(n);
          data[at] = (data[at] + (this.below(2) ? 1 : -1) * (1 + this.below(16))) & 0xff;
        }
        return data;
      case 6: // truncate
        return data.subarray(0, this.below(n + 1));
      case 7: { // erase a chunk
        if (n < 2) return data;
        const at = this.below(n);
        const len = 1 + this.below(Math.min(n - at, 256));
        const out = new Uint8Array(n - len);
        out.set(data.subarray(0, at));
        out.set(data.subarray(at + len), at);
        return out;
      }
      case 8: { // duplicate a chunk in place
        if (n === 0 || n >= maxLength) return data;
        const from = this.below(n);
        const len = 1 + this.below(Math.min(n - from, 512));
        const at = this.below(n + 1);
        const out = new Uint8Array(n + len);
        out.set(data.subarray(0, at));
        out.set(data.subarray(from, from + len), at);
        out.set(data.subarray(at), at + len);
        return out;
      }
      case 9: { // copy a chunk over another place
        if (n < 2) return data;
        const from = this.below(n);
        const len = 1 + this.below(Math.min(n - from, 256));
        const to = this.below(n - len + 1);
        data.copyWithin(to, from, from + len);
        return data;
      }
      case 10: { // splice: the head of this input, the tail of another
        if (!other || other.length === 0) return data;
        const at = this.below(n + 1);
        const from = this.below(other.length);
        const out = new Uint8Array(at + other.length - from);
        out.set(data.subarray(0, at));
        out.set(other.subarray(from), at);
        return out;
      }
      default: { // insert random bytes
        if (n >= maxLength) return data;
        const at = this.below(n + 1);
        const len = 1 + this.below(16);
        const out = new Uint8Array(n + len);
        out.set(data.subarray(0, at));
        for (let i = 0; i < len; i++) out[at + i] = this.below(256);
        out.set(data.subarray(at), at + len);
        return out;
      }
    }
  }

  write(data, at, value, size) {
    const little = this.below(2) === 1;
    for (let i = 0; i < size; i++) {
      const shift = 8 * (little ? i : size - 1 - i);
      data[at + i] = (value >>> shift) & 0xff;
    }
  }
}
