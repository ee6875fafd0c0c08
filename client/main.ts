import angular from 'angular';
import type { ICompileProvider, ILocationProvider } from 'angular';
import uiRouter, { RejectType } from '@uirouter/angularjs';
import type { Transition, TransitionService } from '@uirouter/angularjs';
import core from './core/core.module';
import { revealWhen } from './core/reveal';
import { fetchSiteInfo } from './core/site.service';
import layout from './layout/header.component';
import home from './home/home.component';
import register from './register/register.component';
import login from './login/login.component';
import twofa from './twofa/twofa.component';
import protectedPage from './protected/protected.component';
import account from './account/account.component';
import verification from './verification/verification.component';
import verified from './verified/verified.component';
import notFound from './not-found/not-found.component';
import forgotPassword from './reset/forgot-password.component';
import resetPassword from './reset/reset-password.component';

function configure($locationProvider: ILocationProvider, $compileProvider: ICompileProvider): void {
  $locationProvider.html5Mode(true);
  $compileProvider.debugInfoEnabled(false);
  $compileProvider.commentDirectivesEnabled(false);
  $compileProvider.cssClassDirectivesEnabled(false);
  // The soft token's otpauth:// link (/2fa, while it waits for its first code) opens the authenticator app.
  $compileProvider.aHrefSanitizationTrustedUrlList(/^\s*(https?|mailto|tel|otpauth):/);
  // $http already sends the XSRF-TOKEN cookie back as X-XSRF-TOKEN (same origin only): keep it.
}
configure.$inject = ['$locationProvider', '$compileProvider'];

/** The page shows once the first view has rendered (or failed to): client/core/reveal.ts. */
function revealAfterFirstView(signal: () => void) {
  function hook($transitions: TransitionService): void {
    $transitions.onSuccess({}, () => signal());
    // A redirect supersedes a transition: only a real failure shows the page (with its notice).
    $transitions.onError({}, (trans: Transition) => {
      const type = trans.error().type;
      if (type === RejectType.ERROR || type === RejectType.INVALID) signal();
    });
  }
  hook.$inject = ['$transitions'];
  return hook;
}

let firstView!: () => void;
void revealWhen(new Promise<void>((resolve) => (firstView = resolve)));
// Asked at once, while the page is still parsed: the app starts knowing its server (core/site.service.ts).
const siteInfo = fetchSiteInfo();

/** The root module only wires the feature modules together. */
angular
  .module('app', [
    uiRouter,
    core,
    layout,
    home,
    register,
    login,
    twofa,
    protectedPage,
    account,
    verification,
    verified,
    forgotPassword,
    resetPassword,
    notFound,
  ])
  .config(configure)
  .run(revealAfterFirstView(() => firstView()));

// Bootstrapped from code (no ng-app, no inline script); `<html ng-csp>` keeps AngularJS off eval and inline styles.
angular.element(document).ready(() => {
  void siteInfo.then((info) => {
    angular.module('app').constant('siteInfo', info);
    angular.bootstrap(document, ['app'], { strictDi: true });
  });
});
