/**
 * An optional capability of a rule: the categories it looks at. The pipeline
 * calls a category-scoped rule only for events of those categories (keys and
 * apply), which saves two calls per rule on every other event. Rules without
 * it see every event.
 */
import { CATEGORIES, type Category } from '../model.ts';
import type { Rule } from './rule.ts';

/** A rule that ignores every event outside `categories`. */
export interface CategoryScopedRule extends Rule {
  readonly categories: ReadonlySet<Category>;
}

/** True when `rule` declares the categories it looks at. */
export function isCategoryScoped(rule: Rule): rule is CategoryScopedRule {
  return (rule as Partial<CategoryScopedRule>).categories instanceof Set;
}

const cache = new WeakMap<readonly Rule[], ReadonlyMap<Category, readonly Rule[]>>();

/** The rules of `rules` that may act on an event of each category, in order (cached per list). */
export function rulesByCategory(rules: readonly Rule[]): ReadonlyMap<Category, readonly Rule[]> {
  let table = cache.get(rules);
  if (table === undefined) {
    table = new Map(
      CATEGORIES.map((category) => [
        category,
        rules.filter((rule) => !isCategoryScoped(rule) || rule.categories.has(category)),
      ]),
    );
    cache.set(rules, table);
  }
  return table;
}
