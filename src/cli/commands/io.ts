/** Where a command writes; injected so tests can capture output. */
export interface CommandIO {
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** True when standard output is a terminal (colours, progress bars). */
  readonly isTTY: boolean;
}
