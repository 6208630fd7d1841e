import { FifoQueue } from "./fifo-queue";

/** One client's waiting count, for /health and /metrics. */
export interface Backlog {
  client: string;
  waiting: number;
}

/**
 * Round robin between clients: each client's tasks wait in their own FIFO,
 * and the clients with something waiting take turns, one task each. This is
 * deficit round robin with every task costing one quantum: every upload is
 * letterboxed to the model's input (640×640, or with `rect` a rectangle 10–40 %
 * smaller), and decoding is shrunk on load, so tasks cost about the same and
 * weighing them would only make positions depend on guesses. A client that had
 * nothing waiting joins at the end of the turn order, so a client with one task
 * waits for about one task per other active client, never behind another's flood.
 *
 * Positions follow the same rule as shift(), so a task reported at position p
 * starts p-th as long as nothing new arrives (a newcomer may go ahead of a
 * flood's later tasks: that is the point).
 */
export class FairQueue<T> {
  /** each client's waiting items, in arrival order; a client is here only while it has some */
  private readonly lanes = new Map<string, FifoQueue<T>>();
  /** clients with something waiting, next to be served first */
  private readonly turns = new FifoQueue<string>();
  private readonly owners = new Map<T, string>();

  get length() {
    return this.owners.size;
  }

  /** clients with at least one item waiting */
  get activeClients() {
    return this.lanes.size;
  }

  lengthOf(client: string): number {
    return this.lanes.get(client)?.length ?? 0;
  }

  push(client: string, item: T) {
    let lane = this.lanes.get(client);
    if (!lane) {
      lane = new FifoQueue<T>();
      this.lanes.set(client, lane);
      this.turns.push(client);
    }
    lane.push(item);
    this.owners.set(item, client);
  }

  /** The next item under the policy: the head of the client whose turn it is. */
  shift(): T | undefined {
    const client = this.turns.shift();
    if (client === undefined) return undefined;
    const lane = this.lanes.get(client)!;
    const item = lane.shift()!;
    this.owners.delete(item);
    // Served: to the back of the turn order, or out of it when nothing is left.
    if (lane.length > 0) this.turns.push(client);
    else this.lanes.delete(client);
    return item;
  }

  /**
   * 1-based position (1 = next to run), or 0 when the item is not queued. The
   * item at index j of its client's lane runs after j full turns (each client
   * contributing min(its length, j) items) plus the clients ahead of its own in
   * the current turn that still have a (j+1)-th item.
   */
  positionOf(item: T): number {
    const client = this.owners.get(item);
    if (client === undefined) return 0;
    const j = this.lanes.get(client)!.positionOf(item) - 1;
    let before = 0;
    let ahead = true;
    for (const other of this.turns) {
      if (other === client) ahead = false;
      const n = this.lanes.get(other)!.length;
      before += Math.min(n, j) + (ahead && n > j ? 1 : 0);
    }
    return before + 1;
  }

  remove(item: T): boolean {
    const client = this.owners.get(item);
    if (client === undefined) return false;
    const lane = this.lanes.get(client)!;
    lane.remove(item);
    this.owners.delete(item);
    if (lane.length === 0) {
      this.lanes.delete(client);
      this.turns.remove(client);
    }
    return true;
  }

  /** The `n` clients with the most waiting, most first. */
  largestBacklogs(n: number): Backlog[] {
    return [...this.lanes]
      .map(([client, lane]) => ({ client, waiting: lane.length }))
      .sort((a, b) => b.waiting - a.waiting || a.client.localeCompare(b.client))
      .slice(0, n);
  }
}
