/**
 * The clock a replay's store keeps: the newest event time the pipeline has
 * seen, not the wall clock. State expiry is set in event time (a cooldown ends
 * an hour after the alert's event); a replay of last year's log judged by
 * today's wall clock would find every entry of an earlier chunk or delivery
 * expired, and lose what the live Lambda (whose events are minutes old) keeps.
 */
export class EventTimeClock {
  private newest = 0;

  /** The clock: epoch ms of the newest event seen, 0 before any. */
  readonly now = (): number => this.newest;

  /** Moves the clock to `time` when it is newer. */
  see(time: number | null): void {
    if (time !== null && Number.isFinite(time) && time > this.newest) this.newest = time;
  }
}
