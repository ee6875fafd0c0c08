import type { IAugmentedJQuery, IComponentOptions } from 'angular';
import type { CountryCode } from 'libphonenumber-js';
import { countries, countryMatches, normalizePhone, type Country } from '../../common/phone-number';
import type { PhoneNumber } from './api.service';
import template from './phone-fields.html';

const ALL_COUNTRIES = countries();
export const DEFAULT_COUNTRY: CountryCode = 'US';
/** The calling code pages start with (the default country's). */
export const DEFAULT_CALLING_CODE = '1';

class PhoneFieldsController {
  static $inject = ['$element'];
  phone!: PhoneNumber;
  country: Country = ALL_COUNTRIES.find((c) => c.iso === DEFAULT_COUNTRY)!;
  search = '';
  /** What the number will be sent as, or what is wrong with it ('' while empty). */
  e164 = '';
  problem = '';

  constructor(private readonly $element: IAugmentedJQuery) {}

  $onInit(): void {
    const matching = ALL_COUNTRIES.filter((c) => c.callingCode === this.phone.country_code);
    this.country = matching.find((c) => c.iso === DEFAULT_COUNTRY) ?? matching[0] ?? this.country;
    this.changed();
  }

  /** Countries matching the search, best first (countryMatches); all of them without one. */
  countries(): Country[] {
    const found = countryMatches(ALL_COUNTRIES, this.search);
    return found.length > 0 || !this.search.trim() ? found : [this.country];
  }

  /** Typing in the search selects its best match, and the number is checked for that country. */
  searched(): void {
    const best = countryMatches(ALL_COUNTRIES, this.search)[0];
    if (best && this.search.trim()) {
      this.country = best;
      this.changed();
    }
  }

  /** Enter in the search keeps the selected country (instead of sending the form) and moves on to the number. */
  searchKey(event: KeyboardEvent): void {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    this.searched();
    this.$element[0].querySelector<HTMLInputElement>('#phone_number')?.focus();
  }

  /** Keeps the API's `country_code` in step, and checks the number for the chosen country as it is typed. */
  changed(): void {
    this.phone.country_code = this.country.callingCode;
    const number = (this.phone.phone_number ?? '').trim();
    const check = number ? normalizePhone(this.country.callingCode, number, this.country.iso) : undefined;
    this.e164 = check?.ok ? check.e164 : '';
    this.problem = check && !check.ok ? check.error : '';
    // The browser then refuses to submit the form, and says why.
    const input = this.$element[0].querySelector<HTMLInputElement>('#phone_number');
    input?.setCustomValidity(this.problem);
  }
}

/**
 * `<phone-fields phone="$ctrl.user">`: a searchable country select (`#country_code`, every
 * country libphonenumber-js knows) and `#phone_number`, checked for that country as it is typed,
 * with the E.164 form it will be sent as. Edits the given object's `country_code` (the calling
 * code's digits, as the API takes it) and `phone_number`.
 */
export const phoneFieldsComponent: IComponentOptions = {
  bindings: { phone: '<' },
  controller: PhoneFieldsController,
  template,
};
