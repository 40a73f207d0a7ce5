/**
 * The page the kit runs in, when it runs in one: the descriptive fields Snowplow's browser tracker
 * sends with every event, read from the browser's globals. A driver beside the mapping (which
 * stays pure): nothing here decides anything about sessions.
 */

/** What a page offers the kit: its fields for the next event, and the browser tracker's `_sp_id` cookie. */
export interface WebPage {
  /** `url`, `refr`, `vp` now, and `lang`, `tz`, `res`, `cd`, `cs`, `cookie` as read at setup (absent ones left out). */
  fields(): Record<string, string | undefined>;
  /** The value of a `_sp_id.<hash>` cookie, or undefined. */
  readonly spId: string | undefined;
  /**
   * Expires the page's `_sp_id.<hash>` cookie (`hub.reset()`, a deletion), as the tracker's
   * `clearUserData()` does: on this host and each parent domain, where its `cookieDomain` may have put it.
   */
  forgetSpId(): void;
}

/** `<w>x<h>`, as the tracker writes dimensions. */
const size = (w: number, h: number): string => w + 'x' + h;

/**
 * The page the kit runs in (a `document` with a cookie and a `location`), or null outside browsers
 * (React Native, Node). A host page may hand us anything: what throws is left out, never thrown.
 */
export function webPage(): WebPage | null {
  const g: any = globalThis;
  let constant: Record<string, string | undefined> = {};
  let spId: string | undefined;
  let spName: string | undefined;
  let url: string | undefined;
  let refr: string | undefined;
  try {
    const { document: d, screen: s } = g;
    url = d && '' + g.location.href;
    refr = d.referrer || undefined;
    const n = g.navigator;
    constant = { lang: n.language, cs: d.characterSet, res: size(s.width, s.height), cd: '' + s.colorDepth, cookie: n.cookieEnabled ? '1' : '0', tz: Intl.DateTimeFormat().resolvedOptions().timeZone };
    // (Last: a sandboxed frame refuses cookies with a throw.)
    [, spName, spId] = /(?:^|;\s*)(_sp_id\.[\da-f]{4})=([^;]*)/.exec(d.cookie) ?? [];
  } catch {
    // Not a page, or one whose getters throw.
  }
  return !url
    ? null
    : {
        spId,
        forgetSpId() {
          try {
            const host: string[] = g.location.hostname.split('.');
            // (The last one, `domain=` with no value, is the host-only cookie.)
            for (let i = 0; spName && i <= host.length; i++) g.document.cookie = spName + '=;max-age=0;path=/;domain=' + host.slice(i).join('.');
          } catch {
            // (a page that refuses cookies has none to forget)
          }
        },
        fields() {
          let vp: string | undefined;
          try {
            const now = '' + g.location.href;
            // As the tracker: the referrer is the document's until the URL changes (a single-page app), then the URL before.
            if (now != url) (refr = url), (url = now);
            vp = size(g.innerWidth, g.innerHeight);
          } catch {
            // (a getter that throws: sent without)
          }
          return { ...constant, url, refr, vp };
        },
      };
}
