import angular from 'angular';
import type { IComponentOptions } from 'angular';
import uiRouter from '@uirouter/angularjs';
import type { StateService } from '@uirouter/angularjs';
import core from '../core/core.module';
import { errorMessage } from '../core/api.service';
import type { NoticeService } from '../core/notice.service';
import type { SessionService } from '../core/session.service';
import type { SiteService } from '../core/site.service';
import template from './header.html';

/** The states under each nav link, so the link stays highlighted through its whole flow. */
const SECTIONS: Record<string, readonly string[]> = {
  '2fa': ['login', 'register', 'twofa', 'protected', 'forgotPassword', 'resetPassword'],
  account: ['account'],
  verification: ['verification', 'verified'],
};

class HeaderController {
  static $inject = ['notice', '$state', 'site', 'session'];
  /** The Sandbox link shows only when the server runs its sandbox. */
  sandbox = false;
  loggingOut = false;

  constructor(
    readonly notice: NoticeService,
    private readonly $state: StateService,
    private readonly site: SiteService,
    readonly session: SessionService,
  ) {}

  $onInit(): void {
    this.sandbox = this.site.info.sandbox;
  }

  /** The Account link shows once 2FA passed (the session's state, asked again by every guarded page). */
  get signedIn(): boolean {
    return this.session.next === '/protected';
  }

  /** Log out: ends the session on the server, then Home says so. */
  logout(): void {
    this.loggingOut = true;
    this.session
      .logout()
      .then(() => this.$state.go('home'))
      .then(() => {
        this.notice.info = 'You are logged out.';
      })
      .catch((rejection: unknown) => {
        this.notice.message = `You are still logged in: ${errorMessage(rejection)}`;
      })
      .finally(() => {
        this.loggingOut = false;
      });
  }

  inSection(section: string): boolean {
    const current = this.$state.current.name;
    return current !== undefined && (SECTIONS[section]?.includes(current) ?? false);
  }
}

const headerComponent: IComponentOptions = { controller: HeaderController, template };

/** The site header: app name, navigation, who is signed in (and Log out), and navigation notices. */
export default angular.module('app.layout', [uiRouter, core]).component('appHeader', headerComponent).name;
