const TWO_POW_MINUS_32 = 2 ** -32;

/** splitmix32: spreads a seed so that neighbouring seeds give unrelated streams. */
export function mixSeed(seed: number, salt: number): number {
  let z = (seed + Math.imul(salt + 1, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG): 32-bit integer arithmetic only, so the
 * same seed gives the same sequence on every machine and JavaScript engine.
 */
export class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    this.a = mixSeed(seed, 0);
    this.b = mixSeed(seed, 1);
    this.c = mixSeed(seed, 2);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextDouble(): number {
    return this.nextUint32() * TWO_POW_MINUS_32;
  }

  /** Uniform integer in [0, bound), bound ≤ 2^32. */
  nextInt(bound: number): number {
    return Math.floor(this.nextUint32() * TWO_POW_MINUS_32 * bound);
  }

  /** The full state, for checkpoints. */
  snapshot(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }

  restore([a, b, c, d]: readonly [number, number, number, number]): void {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }
}
