// A short name for the browser a request comes from ("Chrome on Linux"), from a fixed list, for
// people to recognise their own (a push request's origin, a session, a new passkey's name):
// never the User-Agent header itself, which the client writes.

// First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari", Android "Linux", iOS "Mac OS X".
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/Chrome\/|\bCriOS\/|\bChromium\//, 'Chrome'], // also HeadlessChrome
  [/\bSafari\//, 'Safari'],
];
const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\bWindows\b/, 'Windows'],
  [/\biPhone|\biPad|\biPod/, 'iOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bLinux\b/, 'Linux'],
];

const nameIn = (text: string, table: readonly (readonly [RegExp, string])[]) => table.find(([pattern]) => pattern.test(text))?.[1];

/** "Chrome on Linux" from a User-Agent header: a short name from a fixed list, never the header itself. */
export function browserName(userAgent: string | undefined): string {
  const { browser, system } = partsOf(userAgent);
  return joined(browser ?? 'An unknown browser', system);
}

/** browserName, or undefined when the browser is none of the list (a new passkey then gets the store's default name). */
export function knownBrowserName(userAgent: string | undefined): string | undefined {
  const { browser, system } = partsOf(userAgent);
  return browser === undefined ? undefined : joined(browser, system);
}

function partsOf(userAgent: string | undefined): { browser?: string; system?: string } {
  const ua = (userAgent ?? '').slice(0, 512);
  return { browser: nameIn(ua, BROWSERS), system: nameIn(ua, SYSTEMS) };
}

const joined = (browser: string, system: string | undefined): string => (system ? `${browser} on ${system}` : browser);
