import type { IComponentOptions } from 'angular';
import template from './resource-links.html';

interface Link {
  text: string;
  href: string;
}

const SAMPLES = 'https://github.com/AuthySE/Authy-API-Samples';

/** The original quickstart's resource links: the home page's list, and the list its other pages include. */
const LISTS: Record<'home' | 'pages', Link[]> = {
  home: [
    { text: 'Account Security Info', href: 'https://www.twilio.com/authy' },
    { text: 'Command Line Examples', href: SAMPLES },
    { text: 'Authy Postman Collection', href: `${SAMPLES}/tree/master/postman` },
    { text: 'Authy Form Helpers', href: 'https://github.com/Authy/authy-form-helpers' },
    { text: 'Quickstart Demo Repository', href: 'https://github.com/TwilioDevEd/account-security-quickstart-node' },
  ],
  pages: [
    { text: 'Authy Info', href: 'https://www.twilio.com/authy' },
    { text: 'Command Line Examples', href: SAMPLES },
    { text: 'Authy Postman Collection', href: `${SAMPLES}/tree/master/postman` },
    { text: 'Authy Form Helpers', href: 'https://github.com/Authy/authy-form-helpers' },
    { text: 'Quickstart Repository', href: 'https://github.com/TwilioDevEd/account-security-quickstart-node' },
  ],
};

class ResourceLinksController {
  list: 'home' | 'pages' = 'pages';
  get links(): Link[] {
    return LISTS[this.list] ?? LISTS.pages;
  }
}

/** `<resource-links list="home">` or `<resource-links list="pages">`. */
export const resourceLinksComponent: IComponentOptions = {
  bindings: { list: '@' },
  controller: ResourceLinksController,
  template,
};
