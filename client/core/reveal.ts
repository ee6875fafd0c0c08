// A page's parts stay `hidden` (the attribute needs no stylesheet) until the stylesheet has
// loaded and the first view is rendered, then show in one frame: nothing on screen moves while
// the page loads (no layout shift). The stylesheet is linked with media="print" and preloaded, so
// it does not hold the first paint; it is switched on here. Inline script or style, the usual
// ways around a render-blocking stylesheet, are refused by the CSP.

/** Gives up waiting after this long: a page that failed to render is still better seen. */
export const REVEAL_TIMEOUT_MS = 3000;

/** Switches the print-only stylesheet (#styles) on; resolves once it has loaded. */
export function applyStylesheet(doc: Document = document): Promise<void> {
  const link = doc.getElementById('styles') as HTMLLinkElement | null;
  if (!link) return Promise.resolve();
  link.media = 'all';
  if (link.sheet) return Promise.resolve();
  return new Promise((resolve) => {
    link.addEventListener('load', () => resolve(), { once: true });
    link.addEventListener('error', () => resolve(), { once: true });
  });
}

/**
 * Shows the `[data-reveal]` parts once the stylesheet has loaded and `rendered` has settled (or
 * after REVEAL_TIMEOUT_MS, whichever is first). Returns a promise of the moment they show.
 */
export function revealWhen(rendered: Promise<unknown>, doc: Document = document): Promise<void> {
  const styled = applyStylesheet(doc);
  const ready = Promise.all([styled, rendered.catch(() => undefined)]);
  const late = new Promise((resolve) => setTimeout(resolve, REVEAL_TIMEOUT_MS));
  return Promise.race([ready, late]).then(() => {
    doc.querySelectorAll<HTMLElement>('[data-reveal]').forEach((el) => el.removeAttribute('hidden'));
  });
}
