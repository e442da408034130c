/** Exit codes of the `tunnelwatch` command (docs/cli.md). */
export const EXIT_OK = 0;
/** A file could not be read. */
export const EXIT_UNREADABLE = 1;
/** Bad usage: unknown flag, missing argument, bad value. */
export const EXIT_USAGE = 2;
/** `--fail-on SEVERITY` matched: an alert of that severity or higher was opened. */
export const EXIT_FAIL_ON = 3;

/** Bad usage; the message names the flag or argument. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A file or directory could not be read. Exit code 1. */
export class UnreadableInputError extends Error {
  override readonly name = 'UnreadableInputError';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot read ${path}: ${describeCause(cause)}`, { cause });
  }
}

/**
 * A file whose log format `--source auto` cannot tell (or an empty file).
 * Commands skip it with a note naming the reason and go on with the others;
 * `empty` files are not an error.
 */
export class UnrecognisedInputError extends UnreadableInputError {
  constructor(
    path: string,
    readonly reason: string,
    readonly empty: boolean,
  ) {
    super(path, reason);
    this.message = `skipping ${path}: ${reason}`;
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'EACCES') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    return cause.message;
  }
  return String(cause);
}
