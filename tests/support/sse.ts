export interface SseEvent {
  event: string;
  /** the `id:` line, when the event has one */
  id?: string;
  data: any;
}

/** Reads a whole text/event-stream response into events (comments skipped). */
export async function readSse(res: Response): Promise<SseEvent[]> {
  return (await res.text()).split("\n\n").flatMap(parseBlock);
}

/** The events of an open stream as they arrive (comments skipped); breaking out of the loop cancels it. */
export async function* streamSse(res: Response): AsyncGenerator<SseEvent> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const [event] = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event) yield event;
        end = buffer.indexOf("\n\n");
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** One block of a stream: its event, or none for a comment or keep-alive. */
function parseBlock(block: string): SseEvent[] {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) event = line.slice(7);
    else if (line.startsWith("id: ")) id = line.slice(4);
    else if (line.startsWith("data: ")) data.push(line.slice(6));
  }
  return data.length ? [{ event, ...(id === undefined ? {} : { id }), data: JSON.parse(data.join("\n")) }] : [];
}
