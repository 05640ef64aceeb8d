/** Where the CLI writes; injectable so tests can capture it. */
export interface Output {
  out(line: string): void
  err(line: string): void
  /**
   * A line that replaces itself (a countdown). On a terminal it is redrawn in place on stderr;
   * elsewhere (a log, CI) only every `persistEverySeconds`-th call is kept, as a plain line.
   */
  status?(text: string): void
  /** Ends a status line (moves past it on a terminal). */
  endStatus?(): void
}

const STATUS_LINE_EVERY = 30
let statusCalls = 0

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  status: (text) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\u001b[2K${text}`)
    else if (statusCalls++ % STATUS_LINE_EVERY === 0) process.stderr.write(`${text}\n`)
  },
  endStatus: () => {
    statusCalls = 0
    if (process.stderr.isTTY) process.stderr.write('\n')
  },
}

/** Seconds as a countdown: "14:05", "0:09". */
export const formatCountdown = (seconds: number): string => {
  const whole = Math.max(0, Math.ceil(seconds))
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}
