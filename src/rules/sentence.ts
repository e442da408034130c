/**
 * Turning a cause phrase into the start of a sentence. Cause phrases
 * (`Hint.title`, `CauseExplanation.cause`) are sentence fragments that keep
 * the usual casing of acronyms ("BGP hold timer expired", "pre-shared key
 * mismatch"), so only the first character may change.
 */

/**
 * `text` with its first character upper-cased and the rest untouched:
 * "pre-shared key mismatch" → "Pre-shared key mismatch", "BGP hold timer
 * expired" stays as it is, "IPsec proposal mismatch" keeps its lower-case "s".
 */
export function sentenceStart(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
