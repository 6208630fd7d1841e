import { MS_PER_TICK, threadTicks } from "./proc";

export interface PollCost {
  polls: number;
  polls_per_second: number;
  /** main-thread CPU per poll, in µs */
  cpu_us_per_poll: number;
}


/**
 * Polls one task as fast as `clients` connections allow for `seconds`, and
 * divides the server's main-thread CPU (the thread that answers HTTP) by the
 * polls answered. The inference workers' threads are left out, so a pending
 * task can be measured while the queue ahead of it runs.
 */
export async function measurePollCost(url: string, taskId: string, serverPid: number, clients: number, seconds: number): Promise<PollCost> {
  const before = threadTicks(serverPid, serverPid);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let polls = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const res = await fetch(`${url}/result/${taskId}`);
        await res.arrayBuffer();
        polls++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const ticks = threadTicks(serverPid, serverPid) - before;
  return { polls, polls_per_second: Math.round(polls / elapsed), cpu_us_per_poll: Math.round(((ticks * MS_PER_TICK * 1000) / polls) * 10) / 10 };
}
