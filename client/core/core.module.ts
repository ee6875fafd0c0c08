import angular from 'angular';
import uiRouter, { type UrlService } from '@uirouter/angularjs';
import { AccountApiService } from './account-api.service';
import { ApiService } from './api.service';
import { registerBusyRetry } from './busy-retry';
import { registerCsrfRetry } from './csrf-retry';
import { registerGuards } from './guards';
import { messagesComponent } from './messages.component';
import { NoticeService } from './notice.service';
import { PasskeyService, webAuthnBrowser } from './passkeys.service';
import { phoneFieldsComponent } from './phone-fields.component';
import { recheckPromptComponent } from './recheck-prompt.component';
import { recoveryCodesShownComponent } from './recovery-codes-shown.component';
import { resourceLinksComponent } from './resource-links.component';
import { PendingActionService } from './pending-action.service';
import { SessionService } from './session.service';
import { SiteService } from './site.service';
import { registerPageTitle } from './page-title';

/** The original's URLs end in a slash (/register/, /login/): both forms open a page. Set before any state exists. */
function lenientUrls($urlServiceProvider: UrlService): void {
  $urlServiceProvider.config.strictMode(false);
}
lenientUrls.$inject = ['$urlServiceProvider'];

/** Shared services, the guards, and the components the pages share (messages, phone fields, resource links, the fresh-check prompt, new recovery codes). */
export default angular
  .module('app.core', [uiRouter])
  .config(lenientUrls)
  .config(registerCsrfRetry)
  .config(registerBusyRetry)
  .service('api', ApiService)
  .service('accountApi', AccountApiService)
  .service('notice', NoticeService)
  .constant('webAuthnBrowser', webAuthnBrowser)
  .service('passkeys', PasskeyService)
  .service('site', SiteService)
  .service('session', SessionService)
  .service('pendingAction', PendingActionService)
  .component('appMessages', messagesComponent)
  .component('phoneFields', phoneFieldsComponent)
  .component('recheckPrompt', recheckPromptComponent)
  .component('recoveryCodesShown', recoveryCodesShownComponent)
  .component('resourceLinks', resourceLinksComponent)
  .run(registerGuards)
  .run(registerPageTitle).name;
