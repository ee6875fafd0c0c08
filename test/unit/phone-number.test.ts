import { callingCodeOf, countries, countryMatches, formatInternational, normalizePhone } from '../../common/phone-number';

test('one E.164 form for the ways people write a number, and a trunk prefix that is not one refused', () => {
  for (const written of ['4155550100', '14155550100', '(415) 555-0100', '415.555.0100', '+1 415 555 0100']) {
    expect(normalizePhone('1', written)).toMatchObject({ ok: true, e164: '+14155550100', callingCode: '1', national: '4155550100' });
  }
  expect(normalizePhone('+1', '04155550100')).toEqual({ ok: false, error: 'Phone number is not a valid +1 number.' });
});

test('countries outside a short list: Bangladesh, Morocco, Luxembourg', () => {
  expect(normalizePhone('880', '01712-345678')).toMatchObject({ ok: true, e164: '+8801712345678', country: 'BD' });
  expect(normalizePhone('+212', '0612345678')).toMatchObject({ ok: true, e164: '+212612345678', country: 'MA' });
  expect(normalizePhone('352', '621 123 456')).toMatchObject({ ok: true, e164: '+352621123456', country: 'LU' });
});

test('a number for another country, a number too short, letters, an unknown calling code', () => {
  expect(normalizePhone('1', '+44 20 7946 0018')).toEqual({ ok: false, error: 'Phone number is not a valid +1 number.' });
  expect(normalizePhone('1', '555')).toMatchObject({ ok: false });
  expect(normalizePhone('1', 'call me')).toEqual({
    ok: false,
    error: 'Phone number may use digits, spaces, dots, dashes and brackets only.',
  });
  expect(normalizePhone('999', '12345678')).toEqual({ ok: false, error: 'Country code is not a calling code in use.' });
});

test('with a country, the number must belong to it, not only to its calling code', () => {
  expect(normalizePhone('1', '416 555 0100', 'CA')).toMatchObject({ ok: true, country: 'CA' });
  expect(normalizePhone('1', '415 555 0100', 'CA')).toEqual({ ok: false, error: 'Phone number is not a valid Canada number.' });
});

test('every calling code libphonenumber-js knows, labelled by country name', () => {
  const list = countries();
  expect(list.length).toBeGreaterThan(240);
  expect(list).toContainEqual({ iso: 'BD', name: 'Bangladesh', callingCode: '880' });
  expect(list).toContainEqual({ iso: 'LU', name: 'Luxembourg', callingCode: '352' });
  expect(new Set(list.map((c) => c.callingCode)).size).toBeGreaterThan(200);
  expect(callingCodeOf('+880')).toBe('880');
  expect(callingCodeOf('0')).toBeUndefined();
  expect(formatInternational('+8801712345678')).toBe('+880 1712 345678');
});

test("the registration form's country search: best match first, by name start, word start, calling code", () => {
  const all = countries();
  const names = (q: string) => countryMatches(all, q).map((c) => c.name);
  expect(names('ger')[0]).toBe('Germany'); // before Algeria and Niger, which only contain it
  expect(names('ger')).toEqual(expect.arrayContaining(['Algeria', 'Niger', 'Nigeria']));
  expect(names('bangla')).toEqual(['Bangladesh']);
  expect(names('+880')[0]).toBe('Bangladesh');
  expect(names('kingdom')[0]).toBe('United Kingdom');
  expect(names('  ')).toHaveLength(all.length);
  expect(names('zzz')).toEqual([]);
});
