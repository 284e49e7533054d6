import { describe, expect, it } from 'vitest';
import { ReleaseQueue } from '../../src/release-queue.js';

/** Whether the promise settled once every pending callback (microtasks, then one turn of the loop) ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise<void>((r) => setImmediate(r));
  return done;
}

/** Opens `count` connections, returning their tickets. */
function openMany<T>(queue: ReleaseQueue<T>, count: number): number[] {
  return Array.from({ length: count }, () => queue.open());
}

describe('ReleaseQueue: the order finished connections are released in', () => {
  it('yields in the order the connections opened, whatever the order they ended in', async () => {
    const queue = new ReleaseQueue<string>(Infinity);
    const [a, b, c] = openMany(queue, 3);
    const items = queue.items();
    const first = items.next();
    queue.finish(c!, Promise.resolve('c'));
    queue.finish(b!, Promise.resolve('b'));
    // b and c ended, but a opened before them and is still open.
    expect(await settled(first)).toBe(false);
    queue.finish(a!, Promise.resolve('a'));
    expect(await first).toEqual({ done: false, value: 'a' });
    queue.end();
    const rest: string[] = [];
    for await (const item of { [Symbol.asyncIterator]: () => items }) rest.push(item);
    expect(rest).toEqual(['b', 'c']);
  });

  it('skips connections that ended with nothing to yield, and waits for a report still being made', async () => {
    const queue = new ReleaseQueue<string>(Infinity);
    const [a, b, c] = openMany(queue, 3);
    let makeA!: (value: string) => void;
    queue.finish(a!, new Promise<string>((r) => (makeA = r)));
    queue.finish(b!, null);
    queue.finish(c!, Promise.resolve(null));
    queue.end();
    const items = queue.items();
    const first = items.next();
    expect(await settled(first)).toBe(false);
    makeA('a');
    expect(await first).toEqual({ done: false, value: 'a' });
    expect(await items.next()).toEqual({ done: true, value: undefined });
  });

  it('rejects the iteration with the error of a report that failed, in its turn', async () => {
    const queue = new ReleaseQueue<string>(Infinity);
    const [a, b] = openMany(queue, 2);
    queue.finish(b!, Promise.reject(new Error('rule failed')));
    queue.finish(a!, Promise.resolve('a'));
    queue.end();
    const items = queue.items();
    expect(await items.next()).toEqual({ done: false, value: 'a' });
    await expect(items.next()).rejects.toThrow('rule failed');
  });
});

describe('ReleaseQueue: the reorder window', () => {
  it('holds at most `window` finished connections behind an open one, then lets them out; the open one comes when it ends', async () => {
    const queue = new ReleaseQueue<number>(2);
    const tickets = openMany(queue, 5);
    const items = queue.items();
    const next = items.next();
    queue.finish(tickets[1]!, Promise.resolve(1));
    queue.finish(tickets[2]!, Promise.resolve(2));
    // Two wait behind connection 0: within the window.
    expect(await settled(next)).toBe(false);
    queue.finish(tickets[3]!, Promise.resolve(3));
    // A third: past the window, 0 is overtaken and the three are released.
    expect(await next).toEqual({ done: false, value: 1 });
    expect(await items.next()).toEqual({ done: false, value: 2 });
    expect(await items.next()).toEqual({ done: false, value: 3 });
    // Connection 4 opened after 0 was overtaken: it no longer waits for 0.
    queue.finish(tickets[4]!, Promise.resolve(4));
    expect(await items.next()).toEqual({ done: false, value: 4 });
    const late = items.next();
    expect(await settled(late)).toBe(false);
    queue.finish(tickets[0]!, Promise.resolve(0));
    expect(await late).toEqual({ done: false, value: 0 });
    queue.end();
    expect(await items.next()).toEqual({ done: true, value: undefined });
  });

  it('with a window of 0 yields each connection the moment it ends', async () => {
    const queue = new ReleaseQueue<string>(0);
    const [a, b] = openMany(queue, 2);
    const items = queue.items();
    queue.finish(b!, Promise.resolve('b'));
    expect(await items.next()).toEqual({ done: false, value: 'b' });
    queue.finish(a!, Promise.resolve('a'));
    expect(await items.next()).toEqual({ done: false, value: 'a' });
  });

  it('keeps strict order over more connections than it compacts at once (tickets stay valid)', async () => {
    const queue = new ReleaseQueue<number>(Infinity);
    const count = 20_000;
    const tickets = openMany(queue, count);
    // Every other one ends first, then the rest, from the last.
    for (let i = 1; i < count; i += 2) queue.finish(tickets[i]!, Promise.resolve(i));
    for (let i = count - 2; i >= 0; i -= 2) queue.finish(tickets[i]!, Promise.resolve(i));
    queue.end();
    const seen: number[] = [];
    for await (const item of queue.items()) seen.push(item);
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
  });
});

describe('ReleaseQueue: backpressure on the reader', () => {
  it('pauses the reader past maxPending released items and resumes it once half of them were taken', async () => {
    const queue = new ReleaseQueue<number>(Infinity, 4);
    for (let i = 0; i < 4; i++) queue.finish(queue.open(), Promise.resolve(i));
    expect(queue.pace()).toBeUndefined();
    for (let i = 4; i < 6; i++) queue.finish(queue.open(), Promise.resolve(i));
    const paused = queue.pace();
    expect(paused).toBeInstanceOf(Promise);
    const items = queue.items();
    for (let taken = 1; taken <= 3; taken++) {
      expect((await items.next()).value).toBe(taken - 1);
      // 6 released, `taken` taken: more than 2 still wait.
      expect(await settled(paused!)).toBe(false);
    }
    expect((await items.next()).value).toBe(3);
    expect(await settled(paused!)).toBe(true);
    expect(queue.pace()).toBeUndefined();
  });

  it('a reader that awaits pace() never gets more than maxPending + 1 ahead of a slow consumer, and all arrive in order', async () => {
    const maxPending = 8;
    const queue = new ReleaseQueue<number>(Infinity, maxPending);
    let produced = 0;
    let consumed = 0;
    let furthestAhead = 0;
    const reader = (async () => {
      for (let i = 0; i < 200; i++) {
        queue.finish(queue.open(), Promise.resolve(i));
        produced++;
        furthestAhead = Math.max(furthestAhead, produced - consumed);
        await queue.pace();
      }
      queue.end();
    })();
    const seen: number[] = [];
    for await (const item of queue.items()) {
      seen.push(item);
      consumed++;
      await new Promise<void>((r) => setImmediate(r));
    }
    await reader;
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(furthestAhead).toBeLessThanOrEqual(maxPending + 1);
    // The reader did run ahead (it was paced, not kept in lockstep).
    expect(furthestAhead).toBeGreaterThan(maxPending / 2);
  });

  it('a consumer that stops early lets a paused reader go on, unpaced to its end', async () => {
    const queue = new ReleaseQueue<number>(Infinity, 2);
    for (let i = 0; i < 5; i++) queue.finish(queue.open(), Promise.resolve(i));
    const paused = queue.pace()!;
    expect(paused).toBeInstanceOf(Promise);
    for await (const item of queue.items()) {
      expect(item).toBe(0);
      break;
    }
    expect(await settled(paused)).toBe(true);
    for (let i = 5; i < 50; i++) queue.finish(queue.open(), Promise.resolve(i));
    expect(queue.pace()).toBeUndefined();
  });
});
