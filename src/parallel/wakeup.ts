/** One waiter woken by the next notify(): how a pool's merge waits for its threads' next message. */
export class Wakeup {
  private wake: (() => void) | null = null;

  wait(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
