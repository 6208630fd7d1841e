/**
 * A one-line progress bar on stderr for long commands; in a non-TTY (CI logs)
 * it prints a line per 10 % instead of redrawing.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  let lastDecile = -1;
  return {
    update(fraction: number | undefined, detail = "") {
      if (fraction === undefined) {
        if (tty) stream.write(`\r${label} ${detail}   `);
        return;
      }
      const f = Math.min(1, Math.max(0, fraction));
      if (tty) {
        const width = 30;
        const filled = Math.round(f * width);
        stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${detail}   `);
      } else if (Math.floor(f * 10) > lastDecile) {
        lastDecile = Math.floor(f * 10);
        stream.write(`${label} ${(f * 100).toFixed(0)}% ${detail}\n`);
      }
    },
    done(detail = "") {
      stream.write(tty ? `\r${label} done ${detail}\n` : `${label} done ${detail}\n`);
    },
  };
}
