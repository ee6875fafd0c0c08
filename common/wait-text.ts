// How long to wait, as people say it: whole minutes (rounded up), or hours past 90 minutes.
// Limit messages (server) and the SPA's fallback for a 429 without a sentence use it alike.

export function waitText(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes <= 90) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hours`;
}
