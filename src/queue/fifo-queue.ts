/**
 * One FIFO of task ids. A head index instead of Array.shift keeps dequeue O(1);
 * the array is compacted once the consumed prefix dominates it.
 */
export class FifoQueue<T> {
  private items: T[] = [];
  private head = 0;

  get length() {
    return this.items.length - this.head;
  }

  push(item: T) {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** 1-based position of an item (1 = next to run), or 0 when it is not queued. */
  positionOf(item: T): number {
    const i = this.items.indexOf(item, this.head);
    return i < 0 ? 0 : i - this.head + 1;
  }

  /** The items from the next to run to the last, without consuming them. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }

  remove(item: T): boolean {
    const i = this.items.indexOf(item, this.head);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }
}
