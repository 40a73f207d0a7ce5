/**
 * A page's URL (`url`) or referrer (`refr`, `path` 6000) as enrich takes it, its parts' names in
 * `cut` when any was cut. Enrich parses it (EnrichmentManager getPageUri / getRefererUri,
 * ConversionUtils.explodeUri) and fails the whole event when it or a part is longer than
 * reference.conf's `atomicFieldsLimits`: the whole 10,000, the path 3,000 (a referrer's 6,000), the
 * query 6,000, the fragment 3,000 (each without its `?` or `#`). So each part is cut to its limit and
 * to what the whole leaves it, in this order (what the browser tracker sends, but for the cut
 * parts), without splitting an escape (`%XX`). Under 3,000 characters nothing is over.
 */
export function fitUrl(url: string | undefined, path: number, name: string, cut: string[]): string | undefined {
  if (!url || url.length <= 3000) return url;
  const [, head, ...parts] = /^((?:[^:/?#]*:)?(?:\/\/[^/?#]*)?)([^?#]*)([?][^#]*|)([^]*)$/.exec(url)!;
  let out = head!;
  [path, 6001, 3001].forEach((max, i) => {
    let part = parts[i]!;
    const room = Math.max(0, Math.min(max, 10_000 - out.length));
    if (part.length > room) part = part.slice(0, room).replace(/%[\da-f]?$/i, '');
    out += part;
  });
  if (out != url) cut.push(name);
  return out;
}
