/** Country calling codes for the phone fields: common ones, no library needed. */
export interface CallingCode {
  /** Digits only, as the API expects in `country_code`. */
  code: string;
  label: string;
}

export const DEFAULT_COUNTRY_CODE = '1';

const COUNTRIES: ReadonlyArray<[string, string]> = [
  ['54', 'Argentina'],
  ['61', 'Australia'],
  ['43', 'Austria'],
  ['32', 'Belgium'],
  ['55', 'Brazil'],
  ['56', 'Chile'],
  ['86', 'China'],
  ['57', 'Colombia'],
  ['420', 'Czechia'],
  ['45', 'Denmark'],
  ['20', 'Egypt'],
  ['358', 'Finland'],
  ['33', 'France'],
  ['49', 'Germany'],
  ['30', 'Greece'],
  ['852', 'Hong Kong'],
  ['36', 'Hungary'],
  ['91', 'India'],
  ['62', 'Indonesia'],
  ['353', 'Ireland'],
  ['972', 'Israel'],
  ['39', 'Italy'],
  ['81', 'Japan'],
  ['254', 'Kenya'],
  ['60', 'Malaysia'],
  ['52', 'Mexico'],
  ['31', 'Netherlands'],
  ['64', 'New Zealand'],
  ['234', 'Nigeria'],
  ['47', 'Norway'],
  ['92', 'Pakistan'],
  ['51', 'Peru'],
  ['63', 'Philippines'],
  ['48', 'Poland'],
  ['351', 'Portugal'],
  ['40', 'Romania'],
  ['7', 'Russia, Kazakhstan'],
  ['966', 'Saudi Arabia'],
  ['65', 'Singapore'],
  ['27', 'South Africa'],
  ['82', 'South Korea'],
  ['34', 'Spain'],
  ['46', 'Sweden'],
  ['41', 'Switzerland'],
  ['886', 'Taiwan'],
  ['66', 'Thailand'],
  ['90', 'Turkey'],
  ['380', 'Ukraine'],
  ['971', 'United Arab Emirates'],
  ['44', 'United Kingdom'],
  ['1', 'United States, Canada'],
  ['84', 'Vietnam'],
];

export const CALLING_CODES: readonly CallingCode[] = COUNTRIES.map(([code, name]) => ({
  code,
  label: `${name} (+${code})`,
}));
