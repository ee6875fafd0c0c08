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
  return knownBrowserName(userAgent) ?? 'An unknown browser';
}

/** browserName, or undefined when the browser is none of the list. */
export function knownBrowserName(userAgent: string | undefined): string | undefined {
  const ua = (userAgent ?? '').slice(0, 512);
  const browser = nameIn(ua, BROWSERS);
  if (!browser) return undefined;
  const system = nameIn(ua, SYSTEMS);
  return system ? `${browser} on ${system}` : browser;
}
