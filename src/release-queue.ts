/** Released items waiting to be taken before the reader is paused (ReadCaptureOptions.pace). */
export const MAX_PENDING_REPORTS = 1024;

/** A connection in the order it opened: its item once it ended (null: nothing to yield, e.g. not TLS). */
interface Slot<T> {
  ended: boolean;
  item: Promise<T | null> | null;
  /** Let out of the window before it ended: released as soon as it ends. */
  overtaken: boolean;
}

/**
 * The ordered release of a capture's finished connections (docs/decisions/0002-streaming-analysis.md): each is
 * registered when it opens and given its item (a report still being made) when it ends; `items()` yields them
 * in the order they opened. A finished one waits while one opened before it is still open, but at most
 * `window` wait: past it the oldest waiting are let out, and the open one that held them is released whenever
 * it ends. `pace` pauses the reader while more than `maxPending` released items wait to be taken, until half
 * of them were; a consumer that stops early stops the pacing, so the reader runs to its end.
 */
export class ReleaseQueue<T> {
  // The slot of ticket t is order[t - dropped] until released: tickets count up in the order connections open,
  // so no map is needed for the (up to 100 000) open ones, only for the few let out while open.
  private order: Array<Slot<T> | undefined> = [];
  private dropped = 0;
  private head = 0;
  private readonly overtaken = new Map<number, Slot<T>>();
  /** Finished slots not yet released. */
  private waiting = 0;
  private released: Array<Promise<T | null> | undefined> = [];
  private taken = 0;
  private ended = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private resume: (() => void) | null = null;

  constructor(
    private readonly window: number,
    private readonly maxPending = MAX_PENDING_REPORTS,
  ) {}

  /** A connection opened: its ticket for finish(). */
  open(): number {
    this.order.push({ ended: false, item: null, overtaken: false });
    return this.dropped + this.order.length - 1;
  }

  /** The connection of `ticket` ended with this item (null: nothing to yield). */
  finish(ticket: number, item: Promise<T | null> | null): void {
    const slot = ticket - this.dropped >= this.head ? this.order[ticket - this.dropped]! : this.overtaken.get(ticket)!;
    this.overtaken.delete(ticket);
    slot.ended = true;
    slot.item = item;
    // Awaited in order later; marked handled now so a rejection rejects the iteration, not the process.
    item?.catch(() => {});
    if (slot.overtaken) {
      if (item) this.released.push(item);
      this.notify();
    } else {
      this.waiting++;
      this.release();
    }
  }

  /** For the reader: a promise to wait on while too many released items wait to be taken, else undefined. */
  readonly pace = (): Promise<void> | undefined =>
    !this.stopped && this.released.length - this.taken > this.maxPending ? new Promise<void>((r) => (this.resume = r)) : undefined;

  /** The reader is done (at its end or failed): items() ends once every released item was taken. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** The released items in release order (null items skipped), each awaited; a rejected one rejects. */
  async *items(): AsyncGenerator<T> {
    try {
      for (;;) {
        if (this.taken < this.released.length) {
          const item = await this.released[this.taken]!;
          this.released[this.taken++] = undefined;
          if (this.taken > 1024 && this.taken * 2 > this.released.length) {
            this.released.splice(0, this.taken);
            this.taken = 0;
          }
          if (this.released.length - this.taken <= this.maxPending / 2) this.resumeReader();
          if (item !== null) yield item;
          continue;
        }
        if (this.ended) break;
        this.resumeReader();
        await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      // The consumer may stop early: let the reader run to its end unpaced.
      this.stopped = true;
      this.resumeReader();
    }
  }

  private release(): void {
    while (this.head < this.order.length) {
      const slot = this.order[this.head]!;
      if (slot.ended) {
        if (slot.item) this.released.push(slot.item);
        this.waiting--;
      } else if (this.waiting > this.window) {
        slot.overtaken = true;
        this.overtaken.set(this.dropped + this.head, slot);
      } else break;
      this.order[this.head++] = undefined;
    }
    if (this.head > 4096 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.dropped += this.head;
      this.head = 0;
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private resumeReader(): void {
    const resume = this.resume;
    this.resume = null;
    resume?.();
  }
}
