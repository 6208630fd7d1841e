/** Bytes one request body holds against the budget; released once, however the request ends. */
export interface Lease {
  readonly bytes: number;
  /** counts `more` bytes that arrived beyond the reservation (a chunked body); false when they do not fit */
  grow(more: number): boolean;
  release(): void;
}

/**
 * MAX_INFLIGHT_BYTES: the bytes of request bodies this process is receiving at
 * once. Bun buffers a body as it arrives, outside every other cap, so a
 * declared Content-Length is reserved here before the body is read, and a
 * chunked body grows its lease chunk by chunk.
 *
 * One client may hold at most `clientShare` of the budget, so a single client
 * opening many slow uploads cannot keep everyone else's out. A reservation
 * larger than the budget (or the share) is let through when nothing else is
 * held (by anyone, or by that client): a budget set below one upload then
 * serialises such uploads instead of refusing them forever.
 */
export class InflightBudget {
  private held = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    readonly maxBytes: number,
    private readonly clientShare = 0.5,
  ) {}

  /** bytes reserved right now */
  get bytes() {
    return this.held;
  }

  /** A lease of `bytes` for `client`, or undefined when it does not fit. */
  reserve(client: string, bytes: number): Lease | undefined {
    if (!this.fits(client, bytes)) return undefined;
    this.add(client, bytes);
    let leased = bytes;
    let released = false;
    return {
      get bytes() {
        return leased;
      },
      grow: (more) => {
        if (released) return false;
        if (!this.fits(client, more)) return false;
        this.add(client, more);
        leased += more;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.add(client, -leased);
      },
    };
  }

  private fits(client: string, bytes: number): boolean {
    const mine = this.byClient.get(client) ?? 0;
    const overall = this.held === 0 || this.held + bytes <= this.maxBytes;
    const share = mine === 0 || mine + bytes <= this.maxBytes * this.clientShare;
    return overall && share;
  }

  private add(client: string, bytes: number) {
    this.held += bytes;
    const mine = (this.byClient.get(client) ?? 0) + bytes;
    if (mine > 0) this.byClient.set(client, mine);
    else this.byClient.delete(client);
  }
}
