/**
 * Working copies that belong to one `StateView` (one pipeline attempt): a
 * rule that changes its state in place during an attempt finds here the
 * copies it made in that attempt, and nothing of another attempt's. The
 * copies are reachable only through the view, so they go with it: a stored
 * value never holds on to the attempt that built it.
 */
import type { StateView } from './rule.ts';

/** Values of type `V` by object `K`, per `StateView`. */
export class AttemptScoped<K extends object, V> {
  private readonly byView = new WeakMap<StateView, Map<K, V>>();

  /** The value `view` recorded for `key`, if it did. */
  get(view: StateView, key: K): V | undefined {
    return this.byView.get(view)?.get(key);
  }

  /** Records `value` for `key` in `view`. */
  set(view: StateView, key: K, value: V): void {
    let values = this.byView.get(view);
    if (values === undefined) {
      values = new Map();
      this.byView.set(view, values);
    }
    values.set(key, value);
  }
}
