// Phone numbers as the sandbox shows them. Authy masks all but the last four digits in its
// answers ("+1-XXX-XXX-1234"); the sandbox's log and inbox say where a code went without
// spelling out the whole number ("+1 555-…4567").

/** Authy's masked cellphone: "+1-XXX-XXX-1234". */
export function maskCellphone(countryCode: string, national: string): string {
  const last = national.slice(-4);
  const hidden = 'X'.repeat(Math.max(national.length - last.length, 0));
  const groups = hidden.match(/X{1,3}/g) ?? [];
  return ['+' + countryCode, ...groups, last].join('-');
}

/** The inbox's and the log's "to": "+1 555-…4567". */
export function displayPhone(countryCode: string, national: string): string {
  if (national.length <= 7) return `+${countryCode} …${national.slice(-4)}`;
  return `+${countryCode} ${national.slice(0, 3)}-…${national.slice(-4)}`;
}
