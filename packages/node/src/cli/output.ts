/** Where the CLI writes; injectable so tests can capture it. */
export interface Output {
  out(line: string): void
  err(line: string): void
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}

/** Milliseconds, readable at any scale: "312 µs", "4.8 ms", "1.20 s". */
export const formatDuration = (ms: number): string =>
  ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`
