/**
 * Eager prop validation for tunnelwatch constructs: collect every problem,
 * then throw once with a message naming the construct path (docs/toolchain.md, "Constructs").
 */
import { Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A construct's props are invalid; the message lists every problem. */
export class ConstructPropsError extends Error {
  override readonly name = 'ConstructPropsError';
  constructor(
    readonly constructPath: string,
    readonly problems: readonly string[],
  ) {
    super(`${constructPath}: invalid props:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Throws a `ConstructPropsError` for `scope` when `problems` is not empty. */
export function throwIfProblems(scope: IConstruct, problems: readonly string[]): void {
  if (problems.length > 0) throw new ConstructPropsError(scope.node.path, problems);
}

/** True when `value` is only known at deploy time (skip checks on it). */
export function isToken(value: unknown): boolean {
  return Token.isUnresolved(value);
}
