/**
 * One FIFO of distinct items (task ids, client names). A head index instead of
 * Array.shift keeps dequeue O(1); the array is compacted once the consumed
 * prefix dominates it. Each waiting item's index is kept in a Map, so its
 * position is O(1): every pending task's poll asks for it, and a queue may
 * hold thousands (QUEUE_MAX). Only remove(), a cancel, renumbers what follows.
 */
export class FifoQueue<T> {
  private items: T[] = [];
  private head = 0;
  /** items dropped from the front of `items` by compaction, in all */
  private compacted = 0;
  /** each waiting item's index in `items` plus `compacted`: fixed while it waits, unless an item ahead is removed */
  private readonly slots = new Map<T, number>();

  get length() {
    return this.items.length - this.head;
  }

  push(item: T) {
    this.slots.set(item, this.compacted + this.items.length);
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    this.slots.delete(item);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.compacted += this.head;
      this.head = 0;
    }
    return item;
  }

  /** 1-based position of an item (1 = next to run), or 0 when it is not queued. */
  positionOf(item: T): number {
    const slot = this.slots.get(item);
    return slot === undefined ? 0 : slot - this.compacted - this.head + 1;
  }

  /** The items from the next to run to the last, without consuming them. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }

  remove(item: T): boolean {
    const slot = this.slots.get(item);
    if (slot === undefined) return false;
    const i = slot - this.compacted;
    this.items.splice(i, 1);
    this.slots.delete(item);
    for (let k = i; k < this.items.length; k++) this.slots.set(this.items[k], this.compacted + k);
    return true;
  }
}
