/**
 * Marker/limit pagination as the OpenStack APIs do it: the page starts after the
 * item the marker names and holds at most `limit` items. What differs between
 * services (the error when the marker names nothing, how a bad limit is worded,
 * a default or a ceiling) is passed in by the caller.
 */

/** The items after the one whose id is `marker` (all of them without a marker). */
export function afterMarker<T>(
  items: readonly T[],
  marker: string | undefined,
  idOf: (item: T) => string,
  missing: (marker: string) => Error,
): T[] {
  if (marker === undefined) return [...items];
  const at = items.findIndex((item) => idOf(item) === marker);
  if (at === -1) throw missing(marker);
  return items.slice(at + 1);
}

/**
 * A limit as a non-negative integer; undefined when none was sent. `invalid` is the
 * error for any other text (each service words it its own way).
 */
export function parseLimit(text: string | undefined, invalid: (text: string) => Error): number | undefined {
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0) throw invalid(text);
  return limit;
}

/** The first `limit` items (all of them without a limit). */
export function takeLimit<T>(items: readonly T[], limit: number | undefined): T[] {
  return limit === undefined ? [...items] : items.slice(0, limit);
}
