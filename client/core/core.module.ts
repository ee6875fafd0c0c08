import angular from 'angular';
import uiRouter from '@uirouter/angularjs';
import { ApiService } from './api.service';
import { registerBusyRetry } from './busy-retry';
import { registerCsrfRetry } from './csrf-retry';
import { registerGuards } from './guards';
import { messagesComponent } from './messages.component';
import { NoticeService } from './notice.service';
import { phoneFieldsComponent } from './phone-fields.component';
import { registerPageTitle } from './page-title';

/** Shared services, the guards, and the components the pages share (messages, phone fields). */
export default angular
  .module('app.core', [uiRouter])
  .config(registerCsrfRetry)
  .config(registerBusyRetry)
  .service('api', ApiService)
  .service('notice', NoticeService)
  .component('appMessages', messagesComponent)
  .component('phoneFields', phoneFieldsComponent)
  .run(registerGuards)
  .run(registerPageTitle).name;
