import angular from 'angular';
import type { IComponentOptions } from 'angular';
import uiRouter from '@uirouter/angularjs';
import type { StateService, TransitionService } from '@uirouter/angularjs';
import type { ApiService } from '../core/api.service';
import core from '../core/core.module';
import type { NoticeService } from '../core/notice.service';
import type { SiteService } from '../core/site.service';
import template from './header.html';

/** The states under each nav link, so the link stays highlighted through its whole flow. */
const SECTIONS: Record<string, readonly string[]> = {
  '2fa': ['login', 'register', 'twofa', 'protected'],
  account: ['account'],
  verification: ['verification', 'verified'],
};

class HeaderController {
  static $inject = ['notice', '$state', 'site', 'api', '$transitions'];
  /** The Sandbox link shows only when the server runs its sandbox. */
  sandbox = false;
  /** The Account link shows once 2FA passed (asked again after each page change: a login or logout changes it). */
  signedIn = false;
  private stopWatching?: () => void;

  constructor(
    readonly notice: NoticeService,
    private readonly $state: StateService,
    private readonly site: SiteService,
    private readonly api: ApiService,
    private readonly $transitions: TransitionService,
  ) {}

  $onInit(): void {
    this.sandbox = this.site.info.sandbox;
    // ui-router's deregistration function, typed as a bare Function.
    this.stopWatching = this.$transitions.onSuccess({}, () => {
      this.api.loggedIn().then(
        (next) => (this.signedIn = next === '/protected'),
        () => undefined,
      );
    }) as () => void;
  }

  $onDestroy(): void {
    this.stopWatching?.();
  }

  inSection(section: string): boolean {
    const current = this.$state.current.name;
    return current !== undefined && (SECTIONS[section]?.includes(current) ?? false);
  }
}

const headerComponent: IComponentOptions = { controller: HeaderController, template };

/** The site header: app name, navigation, and navigation errors. */
export default angular.module('app.layout', [uiRouter, core]).component('appHeader', headerComponent).name;
