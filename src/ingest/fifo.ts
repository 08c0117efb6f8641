/**
 * A first-in first-out queue of the records waiting to be stored. Dropping the oldest frees their slots at once
 * (their payloads count as released and must be collectable) without copying the rest: the array is compacted
 * only once more than half of it is freed slots. A backlog of 100,000 records then costs O(1) per record, where
 * compacting after every batch copied the whole backlog per batch (and regrew it on the next push).
 */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The i-th waiting item, 0 the oldest; i < length. */
  at(i: number): T {
    return this.items[this.head + i] as T;
  }

  /** The n oldest items (fewer if fewer wait), left in the queue. */
  peek(n: number): T[] {
    return this.items.slice(this.head, this.head + n) as T[];
  }

  /** Removes the n oldest items. */
  drop(n: number): void {
    const end = Math.min(this.head + n, this.items.length);
    this.items.fill(undefined, this.head, end);
    this.head = end;
    if (this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
