import type { IComponentOptions } from 'angular';
import type { PhoneNumber } from './api.service';
import { CALLING_CODES } from './country-codes';
import template from './phone-fields.html';

class PhoneFieldsController {
  readonly countries = CALLING_CODES;
  phone!: PhoneNumber;
}

/**
 * `<phone-fields phone="$ctrl.user">`: `#country_code` (a select; option values are the bare
 * digits) and `#phone_number`, editing the given object's fields inside the enclosing form.
 */
export const phoneFieldsComponent: IComponentOptions = {
  bindings: { phone: '<' },
  controller: PhoneFieldsController,
  template,
};
