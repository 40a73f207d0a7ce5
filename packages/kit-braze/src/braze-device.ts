import type { BrazeDevice } from './braze-wire';

/** What the device is read from: the page's `navigator` (absent outside browsers). */
export interface DeviceNavigator {
  readonly userAgent?: string;
  readonly platform?: string;
  readonly language?: string;
  readonly maxTouchPoints?: number;
  readonly userAgentData?: { readonly brands?: readonly { readonly brand: string; readonly version: string }[]; readonly platform?: string };
}

/** The system whose mark `text` contains (for client hints every row reads the hints' platform). */
const system = (ua: string, platform: string, hints: boolean): string | undefined => {
  // The Web SDK's operating system table (util/browser-detector.js): [from the user agent?, contains, name].
  // A name left out is the text matched itself.
  for (const [fromUa, mark, name] of [
    [false, 'Win', 'Windows'],
    [false, 'Mac'],
    [false, 'BlackBerry'],
    [false, 'FreeBSD'],
    [false, 'OpenBSD'],
    [false, 'Nintendo'],
    [false, 'SunOS'],
    [false, 'PlayStation'],
    [false, 'X11'],
    [true, 'iPhone', 'iOS'],
    [true, 'iPad', 'iOS'],
    [true, 'iPod', 'iOS'],
    [false, 'Pike v', 'iOS'],
    [true, 'Web0S', 'WebOS'],
    [true, 'Tizen'],
    [true, 'Coolita', 'Other Smart TV'],
    [true, 'WhaleTV', 'Other Smart TV'],
    [false, 'Linux armv7l', 'Android'],
    [false, 'Android'],
    [true, 'Android'],
    [false, 'Linux'],
  ] as readonly (readonly [boolean, string, string?])[]) {
    if ((hints || !fromUa ? platform : ua).toLowerCase().includes(mark.toLowerCase())) return name ?? mark;
  }
};

/** Browser and version from the user agent text, as the Web SDK's `user-agent-parser.js` reads them. */
function fromUserAgent(ua: string): [string | undefined, string | undefined] {
  const m = ua.match(/(samsungbrowser|tizen|roku|konqueror|icab|crios|opera|ucbrowser|chatgptbrowser|chrome|safari|firefox|camino|msie|trident(?=\/))\/?\s*(\.?\d+(\.\d+)*)/i) ?? [];
  let n: RegExpMatchArray | null;
  if (m[1] == 'Chrome') {
    if (ua.includes('ChatGPTBrowser')) return ['ChatGPTBrowser', m[2]];
    if ((n = ua.match(/\b(OPR|Edge|EdgA|Edg|UCBrowser)\/(\.?\d+(\.\d+)*)/))) return [n[1] == 'OPR' ? 'Opera' : /^Edg/.test(n[1]!) ? 'Edge' : n[1], n[2]];
  }
  if (m[1] == 'Safari' && (n = ua.match(/\bEdgiOS\/(\.?\d+(\.\d+)*)/))) return ['Edge', n[1]];
  let browser = m[2] ? m[1] : undefined;
  let version = m[2];
  if (browser == 'Safari' && (n = ua.match(/version\/(\.?\d+(\.\d+)*)/i))) version = n[1];
  if ((n = ua.match(/\bUCBrowser\/(\.?\d+(\.\d+)*)/))) version = n[1];
  if (browser == 'Opera' && (n = ua.match(/mini\/(\.?\d+(\.\d+)*)/i))) return ['Opera Mini', n[1]];
  const lower = browser?.toLowerCase();
  if (lower == 'crios') browser = 'Chrome';
  if (lower == 'samsungbrowser') browser = 'Samsung Browser';
  if (lower == 'tizen') return ['Samsung Smart TV', undefined];
  return [browser, version];
}

/**
 * The device as Braze's Web SDK 6.13.0 describes it (`managers/device-manager.js`), read the same way:
 * browser and version from the client hints' brands where the browser has them (else from the user
 * agent), the operating system from the SDK's table, `navigator.language` lowercased, and the IANA
 * time zone. Outside browsers (React Native, Node) only `locale` and `time_zone`, from `Intl`. Never
 * throws; a field that cannot be read is left out. (Braze's smart-TV special cases are not repeated.)
 */
export function brazeDevice(nav: DeviceNavigator | undefined = (globalThis as { navigator?: DeviceNavigator }).navigator): BrazeDevice {
  const device: { -readonly [K in keyof BrazeDevice]: BrazeDevice[K] } = {};
  let intl: Intl.ResolvedDateTimeFormatOptions | undefined;
  try {
    intl = Intl.DateTimeFormat().resolvedOptions();
  } catch {}
  try {
    const ua = nav?.userAgent;
    const page = typeof ua == 'string' && typeof document == 'object';
    if (page) {
      const hints = /chatgptbrowser/i.test(ua) ? undefined : nav!.userAgentData;
      const platform = String((hints ? hints.platform : nav!.platform) ?? '');
      let browser: string | undefined;
      let version: string | undefined;
      if (hints) {
        for (const { brand, version: v } of hints.brands ?? []) {
          const match = brand.match(/Chrome|Edge|Opera|Safari|Firefox|ChatGPTBrowser/i);
          if (match) {
            browser = match[0];
            version = v;
            break;
          }
        }
      } else [browser, version] = fromUserAgent(ua);
      let os = system(ua, platform, !!hints) ?? platform;
      if (!hints && os == 'Mac' && nav!.maxTouchPoints! > 1) os = 'iOS';
      device.browser = browser || 'Unknown Browser';
      device.browser_version = version || 'Unknown Version';
      device.os_version = os;
      device.locale = (nav!.language ?? '').toLowerCase();
    } else if (intl?.locale) device.locale = intl.locale.toLowerCase();
    if (intl?.timeZone) device.time_zone = intl.timeZone;
    if (page) device.user_agent = ua;
  } catch {}
  return device;
}
